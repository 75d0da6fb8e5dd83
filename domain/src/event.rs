//! The business events of PRODUCT.md §8: what the outbox records with every
//! change, and what notifications, webhooks and e-mails are made from.

use std::fmt;
use std::str::FromStr;
use thiserror::Error;

macro_rules! event_types {
    ($($variant:ident => $wire:literal),+ $(,)?) => {
        /// An event's type; `as_str` is the wire name integrators subscribe to.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventType {
            $($variant),+
        }

        impl EventType {
            pub const ALL: &'static [EventType] = &[$(EventType::$variant),+];

            pub fn as_str(&self) -> &'static str {
                match self {
                    $(EventType::$variant => $wire),+
                }
            }
        }
    };
}

event_types! {
    SubscriptionCreated => "subscription.created",
    SubscriptionTrialStarted => "subscription.trial_started",
    SubscriptionConverted => "subscription.converted",
    SubscriptionLicenseCountChanged => "subscription.license_count_changed",
    SubscriptionCanceled => "subscription.canceled",
    SubscriptionExpired => "subscription.expired",
    SubscriptionDisabled => "subscription.disabled",
    SubscriptionDeleted => "subscription.deleted",
    SubscriptionReactivated => "subscription.reactivated",
    SubscriptionTakenOver => "subscription.taken_over",
    LicensesAssigned => "licenses.assigned",
    LicensesUnassigned => "licenses.unassigned",
    LicenseRequestCreated => "license_request.created",
    LicenseRequestDecided => "license_request.decided",
    InvoiceIssued => "invoice.issued",
    PaymentMethodExpiring => "payment_method.expiring",
    SeatsThresholdReached => "seats.threshold_reached",
    // Not in PRODUCT.md §8's list: how "its admins notified" reaches them
    // (a notification, and its e-mail) when an endpoint is switched off.
    WebhookEndpointDisabled => "webhook_endpoint.disabled",
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("unknown event type {0:?}")]
pub struct UnknownEventType(pub String);

impl FromStr for EventType {
    type Err = UnknownEventType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventType::ALL
            .iter()
            .copied()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownEventType(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for t in EventType::ALL {
            assert_eq!(t.as_str().parse::<EventType>(), Ok(*t));
            assert!(seen.insert(t.as_str()), "{t} twice");
        }
        assert_eq!(EventType::ALL.len(), 18);
        assert!("subscription.paused".parse::<EventType>().is_err());
    }
}
