//! Values stored as text: each converts from the stored `String` (refusing
//! anything it does not name, so corrupt data is an error, never a default)
//! and back into it. The persistence layer uses exactly these conversions
//! when it reads and writes rows.

use crate::assignment::AssignmentState;
use crate::billing::ProrationBehavior;
use crate::catalog::BillingFrequency;
use crate::event::EventType;
use crate::governance::{LicenseRequestStatus, LicenseRequests, UserOutcome};
use crate::invoice::{InvoiceStatus, LineKind};
use crate::invoice_language::InvoiceLanguage;
use crate::policy::SelfServicePolicy;
use crate::subscription::{CancelReason, SubscriptionSource, SubscriptionStatus};

macro_rules! stored_as_text {
    ($($t:ty),+ $(,)?) => {$(
        impl TryFrom<String> for $t {
            type Error = <$t as std::str::FromStr>::Err;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl From<$t> for String {
            fn from(value: $t) -> String {
                value.as_str().to_owned()
            }
        }
    )+};
}

stored_as_text!(
    SubscriptionStatus,
    CancelReason,
    InvoiceStatus,
    LineKind,
    BillingFrequency,
    SelfServicePolicy,
    InvoiceLanguage,
    SubscriptionSource,
    LicenseRequests,
    LicenseRequestStatus,
    UserOutcome,
    ProrationBehavior,
    AssignmentState,
    EventType,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_unknown_words() {
        for s in SubscriptionStatus::ALL {
            assert_eq!(SubscriptionStatus::try_from(String::from(s)), Ok(s));
        }
        assert!(SubscriptionStatus::try_from("paused".to_owned()).is_err());
        assert!(InvoiceStatus::try_from(String::new()).is_err());
    }
}
