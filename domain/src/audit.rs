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
    Purchased,
    TrialStarted,
    TrialConverted,
    LicenseCountChanged,
    AutoRenewChanged,
    Canceled,
    Renewed,
    Expired,
    /// A paid subscription 30 days past its expiry: assignments suspended.
    Disabled,
    /// 90 days after being disabled: assignments released, read-only.
    Deleted,
    Reactivated,
    /// Canceled at the end of the period (or that undone by auto-renew).
    CancellationScheduled,
    LicensesAssigned,
    LicensesUnassigned,
    OrganizationSettingsChanged,
    /// An admin took control of a member's purchase (moved its users or canceled it).
    TakenOver,
    /// Licenses moved onto an organisation subscription by a take-over.
    LicensesMovedIn,
    LicenseRequested,
    LicenseRequestDecided,
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
            AuditAction::Purchased => "purchased",
            AuditAction::TrialStarted => "trial_started",
            AuditAction::TrialConverted => "trial_converted",
            AuditAction::LicenseCountChanged => "license_count_changed",
            AuditAction::AutoRenewChanged => "auto_renew_changed",
            AuditAction::Canceled => "canceled",
            AuditAction::Renewed => "renewed",
            AuditAction::Expired => "expired",
            AuditAction::Disabled => "disabled",
            AuditAction::Deleted => "deleted",
            AuditAction::Reactivated => "reactivated",
            AuditAction::CancellationScheduled => "cancellation_scheduled",
            AuditAction::LicensesAssigned => "licenses_assigned",
            AuditAction::LicensesUnassigned => "licenses_unassigned",
            AuditAction::OrganizationSettingsChanged => "organization_settings_changed",
            AuditAction::TakenOver => "taken_over",
            AuditAction::LicensesMovedIn => "licenses_moved_in",
            AuditAction::LicenseRequested => "license_requested",
            AuditAction::LicenseRequestDecided => "license_request_decided",
        }
    }
}
