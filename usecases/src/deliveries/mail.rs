//! The e-mail channel (PRODUCT.md §8 "E-mail"): which e-mails an event
//! causes, and what a claimed one says. Composing and sending (SMTP, the
//! PDF) is the API crate's `MailSender`; the queue, lease, retries and log
//! are the ones webhooks use.

use super::transport::BoxFuture;
use crate::error::Error;
use crate::invoices::Invoice;
use chrono::NaiveDateTime;
use domain::event::EventType;
use domain::InvoiceId;
use persistence::repos::{billing_profiles, invoices, notifications, users};
use persistence::rows::{DeliveryRow, EventRow};
use persistence::DbConnection;

/// One e-mail, ready to compose.
pub enum Mail {
    /// An issued invoice for accounts payable, sent with its PDF.
    Invoice { to: String, invoice: Box<Invoice> },
    /// An in-app notification, as its recipient reads it in the portal.
    Notice {
        to: String,
        title: String,
        summary: String,
    },
}

/// Why an e-mail did not go out; `permanent` when retrying cannot help (an
/// address that does not parse, a 5xx from the server), so it fails at once.
#[derive(Debug, Clone)]
pub struct MailFailure {
    pub permanent: bool,
    pub message: String,
}

pub trait MailSender: Send + Sync {
    /// Composes and hands over one e-mail, within the sender's own timeout.
    fn send<'a>(&'a self, mail: &'a Mail) -> BoxFuture<'a, Result<(), MailFailure>>;
}

/// The e-mails of one event: an `invoice.issued` goes to the billing
/// profile's `invoice_email`, and each notification the event wrote to its
/// recipient's address (a person with no known address gets none).
pub fn deliveries(
    conn: &mut DbConnection,
    event: &EventRow,
    now: NaiveDateTime,
) -> Result<Vec<DeliveryRow>, Error> {
    let org = event.organization_id;
    let mut mails = Vec::new();
    let invoice = match event.event_type {
        EventType::InvoiceIssued => invoice_of(conn, event)?,
        _ => None,
    };
    if let Some(invoice) = invoice {
        if let Some(profile) = billing_profiles::find(conn, invoice.billing_profile_id)? {
            mails.push(DeliveryRow::to_recipient(
                org,
                event.id,
                profile.invoice_email,
                None,
                now,
            ));
        }
    }
    for notice in notifications::for_event(conn, event.id)? {
        let address = users::find(conn, org, notice.recipient_id)?.and_then(|u| u.email);
        if let Some(address) = address {
            mails.push(DeliveryRow::to_recipient(
                org,
                event.id,
                address,
                Some(notice.id),
                now,
            ));
        }
    }
    Ok(mails)
}

/// What a claimed e-mail delivery says; `None` when what it was about is
/// gone.
pub fn compose(
    conn: &mut DbConnection,
    delivery: &DeliveryRow,
    event: &EventRow,
) -> Result<Option<Mail>, Error> {
    let to = delivery
        .recipient
        .clone()
        .ok_or_else(|| Error::internal("an e-mail delivery without a recipient"))?;
    if let Some(id) = delivery.notification_id {
        return Ok(notifications::find(conn, id)?.map(|n| Mail::Notice {
            to,
            title: n.title,
            summary: n.summary,
        }));
    }
    let Some(row) = invoice_of(conn, event)? else {
        return Ok(None);
    };
    let lines = invoices::lines(conn, &[row.id])?;
    Ok(Some(Mail::Invoice {
        to,
        invoice: Box::new(Invoice { row, lines }),
    }))
}

/// The invoice an `invoice.issued` event is about: its `data` is the
/// invoice as the API shows it, whose `id` is the invoice's. `None` (logged)
/// when it names none that exists: one odd event must not stop the
/// dispatcher, which would retry it, and everything after it, for ever.
fn invoice_of(
    conn: &mut DbConnection,
    event: &EventRow,
) -> Result<Option<persistence::rows::InvoiceRow>, Error> {
    let id = serde_json::from_str::<serde_json::Value>(&event.data)
        .ok()
        .and_then(|data| data["id"].as_str()?.parse::<InvoiceId>().ok());
    let invoice = match id {
        Some(id) => invoices::find(conn, event.organization_id, id)?,
        None => None,
    };
    if invoice.is_none() {
        tracing::warn!(event = %event.id, "an invoice.issued event names no invoice; no e-mail");
    }
    Ok(invoice)
}
