//! What the audit history records.

/// The kind of change an audit event records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditAction {
    UserAdded,
    PolicyChanged,
    BillingProfileCreated,
    BillingProfileUpdated,
    PaymentMethodAdded,
    PaymentMethodUpdated,
    PaymentMethodRemoved,
    PaymentMethodReplaced,
}

impl AuditAction {
    pub fn as_str(&self) -> &'static str {
        match self {
            AuditAction::UserAdded => "user_added",
            AuditAction::PolicyChanged => "policy_changed",
            AuditAction::BillingProfileCreated => "billing_profile_created",
            AuditAction::BillingProfileUpdated => "billing_profile_updated",
            AuditAction::PaymentMethodAdded => "payment_method_added",
            AuditAction::PaymentMethodUpdated => "payment_method_updated",
            AuditAction::PaymentMethodRemoved => "payment_method_removed",
            AuditAction::PaymentMethodReplaced => "payment_method_replaced",
        }
    }
}
