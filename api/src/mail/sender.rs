//! The delivery worker's e-mail sender: composes what the use case loaded
//! (the invoice PDF is the document `GET /v1/invoices/{id}/pdf` serves) and
//! sends it over SMTP.

use super::{invoice_message, notification_message, MailError, Mailer};
use crate::handlers::invoices::to_dto;
use domain::catalog::Catalog;
use lettre::Message;
use std::sync::Arc;
use usecases::deliveries::{BoxFuture, Mail, MailFailure, MailSender};

pub struct SmtpSender {
    mailer: Mailer,
    catalog: Arc<Catalog>,
}

impl SmtpSender {
    pub fn new(mailer: Mailer, catalog: Arc<Catalog>) -> Self {
        Self { mailer, catalog }
    }

    fn compose(&self, mail: &Mail) -> Result<Message, MailError> {
        let from = &self.mailer.from;
        match mail {
            Mail::Invoice { to, invoice } => {
                let dto = to_dto(invoice).map_err(|e| MailError::Compose(format!("{e:?}")))?;
                let pdf = crate::render::pdf::invoice(&dto, self.catalog.seller())
                    .map_err(MailError::Compose)?;
                invoice_message(from, to, &dto, pdf)
            }
            Mail::Notice { to, title, summary } => notification_message(from, to, title, summary),
        }
    }
}

impl MailSender for SmtpSender {
    fn send<'a>(&'a self, mail: &'a Mail) -> BoxFuture<'a, Result<(), MailFailure>> {
        Box::pin(async move {
            let message = self.compose(mail).map_err(failure)?;
            self.mailer.send(message).await.map_err(failure)
        })
    }
}

fn failure(error: MailError) -> MailFailure {
    MailFailure {
        // A message that cannot be built now cannot be built later either.
        permanent: match &error {
            MailError::Compose(_) => true,
            MailError::Send { permanent, .. } => *permanent,
        },
        message: error.to_string(),
    }
}
