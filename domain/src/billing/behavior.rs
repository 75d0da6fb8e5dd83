//! When a billing profile pays for license increases (PRODUCT.md §9).

use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// A billing profile's choice of when a prorated increase is charged.
///
/// Decreases never depend on it: their credit always waits for the next
/// invoice (PRODUCT.md §2.4). Only the moment changes, never the amount: an
/// increase costs `prorate(unit, added, remaining_days, period_days)` computed
/// on the day of the change, whichever behaviour carries it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ProrationBehavior {
    /// An increase issues its own invoice at once (today's behaviour).
    #[default]
    InvoiceNow,
    /// An increase leaves a pending charge that the subscription's next
    /// invoice carries as a line: the renewal, the cancellation, or the
    /// settlement issued when the subscription ends without either.
    NextInvoice,
}

impl ProrationBehavior {
    pub const ALL: [ProrationBehavior; 2] = [
        ProrationBehavior::InvoiceNow,
        ProrationBehavior::NextInvoice,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ProrationBehavior::InvoiceNow => "invoice_now",
            ProrationBehavior::NextInvoice => "next_invoice",
        }
    }
}

impl fmt::Display for ProrationBehavior {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("proration_behavior must be `invoice_now` or `next_invoice`, got {0:?}")]
pub struct InvalidProrationBehavior(pub String);

impl FromStr for ProrationBehavior {
    type Err = InvalidProrationBehavior;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ProrationBehavior::ALL
            .into_iter()
            .find(|b| b.as_str() == s)
            .ok_or_else(|| InvalidProrationBehavior(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoice_now_is_the_default_and_names_round_trip() {
        assert_eq!(ProrationBehavior::default(), ProrationBehavior::InvoiceNow);
        for b in ProrationBehavior::ALL {
            assert_eq!(b.as_str().parse::<ProrationBehavior>(), Ok(b));
        }
        assert_eq!(
            "Next_Invoice".parse::<ProrationBehavior>(),
            Err(InvalidProrationBehavior("Next_Invoice".to_owned()))
        );
    }
}
