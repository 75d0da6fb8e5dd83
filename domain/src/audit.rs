//! What the audit history records.

/// The kind of change an audit event records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditAction {
    UserAdded,
    PolicyChanged,
}

impl AuditAction {
    pub fn as_str(&self) -> &'static str {
        match self {
            AuditAction::UserAdded => "user_added",
            AuditAction::PolicyChanged => "policy_changed",
        }
    }
}
