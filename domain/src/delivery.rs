//! A delivery: one event on its way to one receiver over one channel
//! (PRODUCT.md §8). Every channel shares the queue, the lease and the retry
//! schedule; only the sending differs.

use std::fmt;
use std::str::FromStr;
use thiserror::Error;

macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident, $error:literal { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(&self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownWord;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| UnknownWord { what: $error, word: s.to_owned() })
            }
        }
    };
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("unknown {what} {word:?}")]
pub struct UnknownWord {
    pub what: &'static str,
    pub word: String,
}

word_enum!(
    /// How a delivery reaches its receiver.
    Channel, "delivery channel" {
        Webhook => "webhook",
        Email => "email",
    }
);

word_enum!(
    /// Where a delivery stands: waiting (first try or a retry), done, or given up.
    DeliveryStatus, "delivery status" {
        Pending => "pending",
        Delivered => "delivered",
        Failed => "failed",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>(), Ok(*c));
        }
        for s in DeliveryStatus::ALL {
            assert_eq!(s.as_str().parse::<DeliveryStatus>(), Ok(*s));
        }
        assert!("sms".parse::<Channel>().is_err());
    }
}
