//! E-mail over SMTP (PRODUCT.md §8): invoices with their PDF attached and
//! notifications, sent by the delivery worker from the outbox — never from a
//! request, so a mail server that is down cannot fail or slow one.

mod compose;
mod sender;

pub use compose::{invoice_message, notification_message};
pub use sender::SmtpSender;

use crate::config::MailSettings;
use lettre::message::Mailbox;
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;
use thiserror::Error;

/// An SMTP conversation that does not finish in this time counts as failed
/// and is retried like any other failure.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Error)]
pub enum MailError {
    /// The message could not be built (an address that does not parse).
    #[error("the message cannot be built: {0}")]
    Compose(String),
    /// The server refused or could not be reached; `permanent` when it said
    /// so with a 5xx reply (a retry would get the same answer).
    #[error("the mail server did not take the message: {message}")]
    Send { permanent: bool, message: String },
}

/// Sends through the configured SMTP server, from the configured sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    pub from: Mailbox,
}

impl Mailer {
    /// `None` when no SMTP server is configured: nothing is mailed.
    pub fn from_settings(settings: &MailSettings) -> Option<Self> {
        let url = settings.smtp_url()?;
        // The URL was checked when the settings were read.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .ok()?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        Some(Self {
            transport,
            from: settings.from.clone(),
        })
    }

    pub async fn send(&self, message: Message) -> Result<(), MailError> {
        match tokio::time::timeout(SEND_TIMEOUT, self.transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(MailError::Send {
                permanent: e.is_permanent(),
                message: e.to_string(),
            }),
            Err(_) => Err(MailError::Send {
                permanent: false,
                message: format!("no answer within {} s", SEND_TIMEOUT.as_secs()),
            }),
        }
    }
}
