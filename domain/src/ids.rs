//! Typed identifiers, so that a user id can never be passed where an
//! organisation id is expected.

use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub fn new_random() -> Self {
                Self(Uuid::new_v4())
            }
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        /// Stored ids are text: a stored value that is not a UUID is corrupt
        /// data, refused when the row is read (never turned into a default).
        impl TryFrom<String> for $name {
            type Error = uuid::Error;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.to_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // Hyphenated lower case: the one textual form stored and served.
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

typed_id!(
    /// An organisation (the token's `tid`).
    OrganizationId
);
typed_id!(
    /// A member of an organisation.
    UserId
);
typed_id!(
    /// A product of the catalog.
    ProductId
);
typed_id!(
    /// A subscription, self-service or organisation.
    SubscriptionId
);
typed_id!(
    /// An issued invoice or credit note.
    InvoiceId
);
typed_id!(
    /// A purchaser's billing account.
    BillingAccountId
);
typed_id!(
    /// A billing profile: who is billed, where invoices go, which card pays.
    BillingProfileId
);
typed_id!(
    /// A stored card (never its number).
    PaymentMethodId
);
typed_id!(
    /// An entry of the audit history.
    AuditEventId
);
typed_id!(
    /// A decrease credit waiting for the next invoice.
    PendingCreditId
);
typed_id!(
    /// A member's request for a license (PRODUCT.md §7).
    LicenseRequestId
);
typed_id!(
    /// A binding price quote for a license-count change (PRODUCT.md §9).
    QuoteId
);
typed_id!(
    /// An outbox event (PRODUCT.md §8); receivers dedupe deliveries by it.
    EventId
);
