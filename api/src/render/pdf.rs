//! An invoice as a PDF a person can open: one or more A4 pages set in
//! Helvetica (a base-14 font every reader has, so nothing is embedded), with
//! the number, dates, bill-to, lines and totals as real, extractable text.

use super::decimal;
use crate::dto::invoices::InvoiceDto;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const LINE: f32 = 15.0;
/// Invoice lines that fit below the header on a page.
const LINES_PER_PAGE: usize = 28;

/// WinAnsi text: Latin-1 characters as bytes, anything else as `?`.
fn text(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| {
            if (c as u32) < 0x100 && !c.is_control() {
                c as u32 as u8
            } else {
                b'?'
            }
        })
        .collect()
}

struct Writer {
    content: Content,
    y: f32,
}

impl Writer {
    fn new() -> Self {
        Self {
            content: Content::new(),
            y: PAGE_HEIGHT - MARGIN,
        }
    }

    fn at(&mut self, x: f32, size: f32, bold: bool, s: &str) {
        let bytes = text(s);
        self.content
            .begin_text()
            .set_font(Name(if bold { b"F2" } else { b"F1" }), size)
            .next_line(x, self.y)
            .show(Str(&bytes))
            .end_text();
    }

    /// Right-aligned at `right`, estimating Helvetica's average glyph width.
    fn right(&mut self, right: f32, size: f32, bold: bool, s: &str) {
        let width = s.chars().count() as f32 * size * 0.55;
        self.at(right - width, size, bold, s);
    }

    fn down(&mut self, by: f32) {
        self.y -= by;
    }

    fn rule(&mut self) {
        self.content
            .set_line_width(0.5)
            .move_to(MARGIN, self.y + 4.0)
            .line_to(PAGE_WIDTH - MARGIN, self.y + 4.0)
            .stroke();
        self.down(LINE * 0.6);
    }
}

fn header(w: &mut Writer, invoice: &InvoiceDto, page: usize, pages: usize) {
    w.at(MARGIN, 20.0, true, &format!("Invoice {}", invoice.number));
    w.right(
        PAGE_WIDTH - MARGIN,
        10.0,
        false,
        &format!("Page {page} of {pages}"),
    );
    w.down(LINE * 1.6);
    w.at(
        MARGIN,
        10.0,
        false,
        "selfserve - self-service subscriptions",
    );
    w.down(LINE * 1.5);
    for (label, value) in [
        ("Invoice number", invoice.number.to_string()),
        ("Issue date", invoice.issue_date.to_string()),
        ("Due date", invoice.due_date.to_string()),
        (
            "Period",
            format!("{} to {}", invoice.period_start, invoice.period_end),
        ),
        ("Status", invoice.status.clone()),
        ("Invoice id", invoice.id.to_string()),
    ] {
        w.at(MARGIN, 10.0, true, label);
        w.at(MARGIN + 110.0, 10.0, false, &value);
        w.down(LINE);
    }
    if let Some(bill_to) = &invoice.bill_to {
        w.down(LINE * 0.5);
        w.at(MARGIN, 10.0, true, "Bill to");
        w.down(LINE);
        let a = &bill_to.address;
        let mut lines = vec![bill_to.name.clone(), a.line1.clone()];
        lines.extend(a.line2.clone());
        lines.push(format!("{} {}", a.postal_code, a.city));
        lines.extend(a.region.clone());
        lines.push(a.country.clone());
        lines.push(bill_to.invoice_email.clone());
        if let Some(po) = &bill_to.po_number {
            lines.push(format!("PO number: {po}"));
        }
        for line in lines {
            w.at(MARGIN, 10.0, false, &line);
            w.down(LINE);
        }
    }
    w.down(LINE);
    w.at(MARGIN, 10.0, true, "Description");
    w.right(370.0, 10.0, true, "Qty");
    w.right(460.0, 10.0, true, "Unit price");
    w.right(PAGE_WIDTH - MARGIN, 10.0, true, "Amount");
    w.down(LINE);
    w.rule();
}

pub fn invoice(invoice: &InvoiceDto) -> Vec<u8> {
    let money = |amount: i64| {
        format!(
            "{} {}",
            decimal(amount, &invoice.currency),
            invoice.currency
        )
    };
    let chunks: Vec<_> = if invoice.lines.is_empty() {
        vec![&invoice.lines[..]]
    } else {
        invoice.lines.chunks(LINES_PER_PAGE).collect()
    };
    let pages = chunks.len();

    let mut pdf = Pdf::new();
    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let font_id = Ref::new(3);
    let bold_id = Ref::new(4);
    let page_ids: Vec<Ref> = (0..pages).map(|i| Ref::new(5 + 2 * i as i32)).collect();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(pages as i32);
    pdf.type1_font(font_id)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold_id)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));

    for (i, lines) in chunks.into_iter().enumerate() {
        let mut w = Writer::new();
        header(&mut w, invoice, i + 1, pages);
        for line in lines {
            w.at(MARGIN, 9.0, false, &line.description);
            w.right(370.0, 9.0, false, &line.quantity.to_string());
            w.right(460.0, 9.0, false, &money(line.unit_amount.amount));
            w.right(PAGE_WIDTH - MARGIN, 9.0, false, &money(line.amount.amount));
            w.down(LINE);
        }
        if i + 1 == pages {
            w.rule();
            for (label, amount, bold) in [
                ("Subtotal", invoice.subtotal.amount, false),
                ("Tax", invoice.tax.amount, false),
                ("Total", invoice.total.amount, true),
            ] {
                w.right(460.0, 10.0, bold, label);
                w.right(PAGE_WIDTH - MARGIN, 10.0, bold, &money(amount));
                w.down(LINE);
            }
        }
        let page_id = page_ids[i];
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        page.parent(tree_id);
        page.contents(content_id);
        let mut resources = page.resources();
        resources
            .fonts()
            .pair(Name(b"F1"), font_id)
            .pair(Name(b"F2"), bold_id);
        resources.finish();
        page.finish();
        pdf.stream(content_id, &w.content.finish());
    }
    pdf.finish()
}
