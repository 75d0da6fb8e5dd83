//! The messages: what an invoice e-mail and a notification e-mail say.

use super::MailError;
use crate::dto::invoices::InvoiceDto;
use crate::render::decimal;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;

fn mailbox(address: &str) -> Result<Mailbox, MailError> {
    address
        .parse()
        .map_err(|_| MailError::Compose(format!("{address:?} is not an e-mail address")))
}

/// The invoice for accounts payable: a short text and the PDF, the same
/// document `GET /v1/invoices/{id}/pdf` serves.
pub fn invoice_message(
    from: &Mailbox,
    to: &str,
    invoice: &InvoiceDto,
    pdf: Vec<u8>,
) -> Result<Message, MailError> {
    let total = decimal(invoice.total.amount, &invoice.total.currency);
    let text = format!(
        "Invoice {number} for {total} {currency}, issued {issued}, is due on {due}.\n\
         The invoice is attached as a PDF.\n",
        number = invoice.number,
        currency = invoice.total.currency,
        issued = invoice.issue_date,
        due = invoice.due_date,
    );
    let pdf_type =
        ContentType::parse("application/pdf").map_err(|e| MailError::Compose(e.to_string()))?;
    let attachment = Attachment::new(format!("invoice-{}.pdf", invoice.number)).body(pdf, pdf_type);
    Message::builder()
        .from(from.clone())
        .to(mailbox(to)?)
        .subject(format!(
            "Invoice {} — {total} {}",
            invoice.number, invoice.total.currency
        ))
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(text))
                .singlepart(attachment),
        )
        .map_err(|e| MailError::Compose(e.to_string()))
}

/// A notification, as its recipient sees it in the app.
pub fn notification_message(
    from: &Mailbox,
    to: &str,
    title: &str,
    summary: &str,
) -> Result<Message, MailError> {
    Message::builder()
        .from(from.clone())
        .to(mailbox(to)?)
        .subject(title)
        .singlepart(SinglePart::plain(format!("{summary}\n")))
        .map_err(|e| MailError::Compose(e.to_string()))
}
