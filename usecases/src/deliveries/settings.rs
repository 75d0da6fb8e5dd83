//! How deliveries behave in this deployment.

use super::mail::MailSender;
use super::transport::Transport;
use domain::webhook::RetryPolicy;
use std::sync::Arc;

#[derive(Clone)]
pub struct Outbound {
    /// `SELFSERVE_WEBHOOK_ALLOW_PRIVATE`: http:// and private addresses allowed.
    pub allow_private: bool,
    /// From `SELFSERVE_WEBHOOK_RETRY_BASE_SECS`.
    pub retry: RetryPolicy,
    pub transport: Arc<dyn Transport>,
    /// `SELFSERVE_SMTP_URL` set: invoices and notifications are e-mailed.
    pub mail: Option<Arc<dyn MailSender>>,
}
