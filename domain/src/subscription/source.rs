//! Who a subscription was bought for: the purchaser alone (self-service) or
//! the organisation (bought by an admin, managed by every admin).

use std::fmt;
use std::str::FromStr;
use thiserror::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubscriptionSource {
    /// A member bought it for themselves and their co-workers; only they manage it.
    SelfService,
    /// An admin bought it for the organisation; every admin manages it and
    /// members never see it (PRODUCT.md §7).
    Organization,
}

impl SubscriptionSource {
    pub const ALL: [SubscriptionSource; 2] = [
        SubscriptionSource::SelfService,
        SubscriptionSource::Organization,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            SubscriptionSource::SelfService => "self_service",
            SubscriptionSource::Organization => "organization",
        }
    }

    /// The organisation's self-service governance (policies, spend cap)
    /// restrains members' own purchases; an admin buying for the
    /// organisation is the organisation acting, so none of it applies.
    pub fn is_governed(&self) -> bool {
        matches!(self, SubscriptionSource::SelfService)
    }
}

impl fmt::Display for SubscriptionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("source must be `self_service` or `organization`, got {0:?}")]
pub struct InvalidSubscriptionSource(pub String);

impl FromStr for SubscriptionSource {
    type Err = InvalidSubscriptionSource;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SubscriptionSource::ALL
            .into_iter()
            .find(|source| source.as_str() == s)
            .ok_or_else(|| InvalidSubscriptionSource(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_only_self_service_is_governed() {
        for source in SubscriptionSource::ALL {
            assert_eq!(source.as_str().parse::<SubscriptionSource>(), Ok(source));
        }
        assert!("organisation".parse::<SubscriptionSource>().is_err());
        assert!(SubscriptionSource::SelfService.is_governed());
        assert!(!SubscriptionSource::Organization.is_governed());
    }
}
