//! An invoice as a PDF a person can open: A4 pages set in the embedded
//! Liberation Sans, in the language the billing profile chose when the
//! invoice was issued, naming the seller (from the catalog file) and the
//! buyer (the invoice's bill-to snapshot, with its tax number), with the
//! lines and totals as real, extractable text. Every column is sized from
//! the widths of what it holds, so nothing overlaps; long text wraps.

use super::pdf_layout::{Fonts, Layout, Span, CONTENT_WIDTH, MARGIN, PAGE_WIDTH};
use crate::dto::invoices::InvoiceDto;
use domain::invoice_language::{InvoiceLanguage, Labels};
use domain::seller::Seller;
use domain::{Currency, Money};

const TITLE: f32 = 18.0;
const TEXT: f32 = 10.0;
const ROW: f32 = 9.0;
/// Between two columns.
const GUTTER: f32 = 14.0;

/// Right edges (and widths) of the invoice table's columns, from what they hold.
struct Columns {
    description_width: f32,
    quantity_right: f32,
    unit_right: f32,
    amount_right: f32,
}

impl Columns {
    fn measure(fonts: &Fonts, labels: &Labels, rows: &[[String; 3]], totals: &[String]) -> Self {
        let widest =
            |bold: bool, size: f32, header: &str, cells: &mut dyn Iterator<Item = &String>| {
                cells
                    .map(|c| fonts.width(bold, c, size))
                    .fold(fonts.width(true, header, TEXT), f32::max)
            };
        let quantity = widest(false, ROW, labels.quantity, &mut rows.iter().map(|r| &r[0]));
        let unit = widest(
            false,
            ROW,
            labels.unit_price,
            &mut rows.iter().map(|r| &r[1]),
        );
        let amount = widest(false, ROW, labels.amount, &mut rows.iter().map(|r| &r[2]))
            .max(widest(true, TEXT, labels.amount, &mut totals.iter()));
        let amount_right = PAGE_WIDTH - MARGIN;
        let unit_right = amount_right - amount - GUTTER;
        let quantity_right = unit_right - unit - GUTTER;
        Self {
            // Enough for a few words even when amounts are very long.
            description_width: (quantity_right - quantity - GUTTER - MARGIN).max(60.0),
            quantity_right,
            unit_right,
            amount_right,
        }
    }
}

/// Writes the amount the way the invoice's language does.
fn money(lang: InvoiceLanguage, amount: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Ok(c) => lang.amount(Money::new(amount, c)),
        Err(_) => format!("{amount} {currency}"),
    }
}

/// The title band every page starts with: "Invoice 12", and "Page 1 of 2" at the right.
fn title(layout: &mut Layout<'_>, labels: &Labels, invoice: &InvoiceDto) {
    layout.lines(
        TITLE,
        vec![vec![Span::left(
            MARGIN,
            true,
            format!("{} {}", labels.invoice, invoice.number),
        )]],
    );
    layout.gap(6.0);
}

/// Lines of `size` text, starting a new page (with its title band) when they do not fit.
fn block(
    layout: &mut Layout<'_>,
    labels: &Labels,
    invoice: &InvoiceDto,
    size: f32,
    lines: Vec<Vec<Span>>,
) {
    if !layout.fits(Layout::line_height(size) * lines.len() as f32) {
        layout.new_page();
        title(layout, labels, invoice);
    }
    layout.lines(size, lines);
}

/// Seller at the left, buyer at the right, each wrapped inside its half.
fn parties(
    layout: &mut Layout<'_>,
    labels: &Labels,
    invoice: &InvoiceDto,
    seller: Option<&Seller>,
) {
    let half = (CONTENT_WIDTH - GUTTER) / 2.0;
    let fonts = layout.fonts;
    let column = |label: &str, texts: Vec<String>| -> Vec<(bool, String)> {
        let mut out = vec![(true, label.to_owned())];
        for text in texts {
            out.extend(
                fonts
                    .wrap(false, &text, TEXT, half)
                    .into_iter()
                    .map(|l| (false, l)),
            );
        }
        out
    };
    let left = match seller {
        Some(seller) => {
            let mut lines = vec![seller.name().to_owned()];
            lines.extend(seller.address().iter().cloned());
            lines.push(format!("{}: {}", labels.tax_id, seller.tax_id()));
            column(labels.seller, lines)
        }
        // Only a catalog built in code lacks one; the catalog file requires it.
        None => Vec::new(),
    };
    let right = match &invoice.bill_to {
        Some(b) => {
            let a = &b.address;
            let mut lines = vec![b.name.clone(), a.line1.clone()];
            lines.extend(a.line2.clone());
            lines.push(format!("{} {}", a.postal_code, a.city));
            lines.extend(a.region.clone());
            lines.push(a.country.clone());
            if let Some(tax_id) = &b.tax_id {
                lines.push(format!("{}: {tax_id}", labels.tax_id));
            }
            lines.push(format!("{}: {}", labels.email, b.invoice_email));
            if let Some(po) = &b.po_number {
                lines.push(format!("{}: {po}", labels.po_number));
            }
            column(labels.bill_to, lines)
        }
        None => Vec::new(),
    };
    let right_x = MARGIN + half + GUTTER;
    for i in 0..left.len().max(right.len()) {
        let mut spans = Vec::new();
        if let Some((bold, text)) = left.get(i) {
            spans.push(Span::left(MARGIN, *bold, text.clone()));
        }
        if let Some((bold, text)) = right.get(i) {
            spans.push(Span::left(right_x, *bold, text.clone()));
        }
        block(layout, labels, invoice, TEXT, vec![spans]);
    }
}

/// Number, dates, period, status and id as label–value pairs.
fn details(layout: &mut Layout<'_>, lang: InvoiceLanguage, invoice: &InvoiceDto) {
    let labels = lang.labels();
    let pairs = [
        (labels.invoice_number, invoice.number.to_string()),
        (labels.issue_date, invoice.issue_date.to_string()),
        (labels.due_date, invoice.due_date.to_string()),
        (
            labels.period,
            format!(
                "{} {} {}",
                invoice.period_start, labels.period_to, invoice.period_end
            ),
        ),
        (labels.status, lang.status(&invoice.status)),
        (labels.invoice_id, invoice.id.to_string()),
    ];
    let fonts = layout.fonts;
    let label_width = pairs
        .iter()
        .map(|(l, _)| fonts.width(true, l, TEXT))
        .fold(0.0, f32::max);
    let value_x = MARGIN + label_width + GUTTER;
    for (label, value) in pairs {
        let values = fonts.wrap(false, &value, TEXT, PAGE_WIDTH - MARGIN - value_x);
        let lines = values
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                let mut spans = vec![Span::left(value_x, false, v)];
                if i == 0 {
                    spans.push(Span::left(MARGIN, true, label));
                }
                spans
            })
            .collect();
        block(layout, labels, invoice, TEXT, lines);
    }
}

fn table_header(layout: &mut Layout<'_>, labels: &Labels, columns: &Columns) {
    let fonts = layout.fonts;
    let description = fonts.wrap(true, labels.description, TEXT, columns.description_width);
    let lines = description
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let mut spans = vec![Span::left(MARGIN, true, d)];
            if i == 0 {
                spans.push(Span::right(columns.quantity_right, true, labels.quantity));
                spans.push(Span::right(columns.unit_right, true, labels.unit_price));
                spans.push(Span::right(columns.amount_right, true, labels.amount));
            }
            spans
        })
        .collect();
    layout.lines(TEXT, lines);
    layout.rule();
}

pub fn invoice(invoice: &InvoiceDto, seller: Option<&Seller>) -> Result<Vec<u8>, String> {
    let lang: InvoiceLanguage = invoice
        .bill_to
        .as_ref()
        .map(|b| b.invoice_language.into())
        .unwrap_or_default();
    let labels = lang.labels();
    let currency = &invoice.currency;
    let fonts = Fonts::new()?;
    let rows: Vec<[String; 3]> = invoice
        .lines
        .iter()
        .map(|l| {
            [
                l.quantity.to_string(),
                money(lang, l.unit_amount.amount, currency),
                money(lang, l.amount.amount, currency),
            ]
        })
        .collect();
    let totals = [
        (labels.subtotal, invoice.subtotal.amount, false),
        (labels.tax, invoice.tax.amount, false),
        (labels.total, invoice.total.amount, true),
    ]
    .map(|(label, amount, bold)| (label, money(lang, amount, currency), bold));
    let total_texts: Vec<String> = totals.iter().map(|t| t.1.clone()).collect();
    let columns = Columns::measure(&fonts, labels, &rows, &total_texts);

    let mut layout = Layout::new(&fonts);
    title(&mut layout, labels, invoice);
    parties(&mut layout, labels, invoice, seller);
    layout.gap(TEXT);
    details(&mut layout, lang, invoice);
    layout.gap(TEXT);
    table_header(&mut layout, labels, &columns);
    let row_gap = 2.0;
    for (line, [quantity, unit, amount]) in invoice.lines.iter().zip(rows) {
        let description = fonts.wrap(false, &line.description, ROW, columns.description_width);
        let height = Layout::line_height(ROW) * description.len() as f32 + row_gap;
        if !layout.fits(height) {
            layout.new_page();
            title(&mut layout, labels, invoice);
            table_header(&mut layout, labels, &columns);
        }
        let mut cells = Some((quantity, unit, amount));
        let lines = description
            .into_iter()
            .map(|d| {
                let mut spans = vec![Span::left(MARGIN, false, d)];
                if let Some((q, u, a)) = cells.take() {
                    spans.push(Span::right(columns.quantity_right, false, q));
                    spans.push(Span::right(columns.unit_right, false, u));
                    spans.push(Span::right(columns.amount_right, false, a));
                }
                spans
            })
            .collect();
        layout.lines(ROW, lines);
        layout.gap(row_gap);
    }
    if !layout.fits(Layout::line_height(TEXT) * 3.0 + 8.0) {
        layout.new_page();
        title(&mut layout, labels, invoice);
    }
    layout.rule();
    let total_lines = totals
        .into_iter()
        .map(|(label, amount, bold)| {
            vec![
                Span::right(columns.unit_right, bold, label),
                Span::right(columns.amount_right, bold, amount),
            ]
        })
        .collect();
    layout.lines(TEXT, total_lines);

    let pages = layout.page_count();
    let page_labels = (1..=pages).map(|p| lang.page(p, pages)).collect();
    layout.number_pages(page_labels, ROW, TITLE);
    let pages = layout.finish();
    pages.draw(fonts)
}
