//! Growing a subscription so that a batch of users fits (PRODUCT.md §9,
//! `add_licenses: true` on assign).
//!
//! The total grows by exactly the shortfall: the users of the batch who do
//! not hold a license yet, less the free licenses. Users already assigned
//! consume nothing, so a retry grows nothing. The new total is bounded like
//! any other: by the product's maximum for a paid subscription, by the trial
//! offer's maximum for a trial. A paid growth is then priced and billed as
//! an ordinary increase ([`change_count`](super::change_count)).

use crate::license::LicenseCount;
use thiserror::Error;

/// The most licenses the subscription may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ceiling {
    /// A paid subscription: the product's `max_licenses`.
    Product { max: u32 },
    /// A trial: the trial offer's `max_licenses`.
    Trial { max: u32 },
}

/// Licenses to add so that every newcomer gets one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Growth {
    /// The shortfall, at least 1.
    pub added: u32,
    pub new_total: LicenseCount,
}

#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum GrowthError {
    /// Even at the product's maximum the batch does not fit: at most
    /// `available` more users can hold a license, `requested` need one.
    #[error("{requested} users need a license but at most {available} more can have one: the product allows {max} licenses")]
    ProductMaximum {
        max: u32,
        available: i64,
        requested: i64,
    },
    /// A trial cannot grow past its offer's maximum.
    #[error("a trial is limited to {max} licenses")]
    TrialMaximum {
        max: u32,
        available: i64,
        requested: i64,
    },
}

/// How much `total` (with `assigned` licenses held) must grow for
/// `newcomers` more users, within `ceiling`. `None` when they already fit.
pub fn grow_to_fit(
    total: LicenseCount,
    assigned: u32,
    newcomers: usize,
    ceiling: Ceiling,
) -> Result<Option<Growth>, GrowthError> {
    let free = i64::from(total.get()) - i64::from(assigned);
    let requested = i64::try_from(newcomers).unwrap_or(i64::MAX);
    let shortfall = requested.saturating_sub(free.max(0));
    if shortfall <= 0 {
        return Ok(None);
    }
    let max = match ceiling {
        Ceiling::Product { max } | Ceiling::Trial { max } => max,
    };
    let wanted = i64::from(total.get()).saturating_add(shortfall);
    match (LicenseCount::parse(wanted, max), u32::try_from(shortfall)) {
        (Ok(new_total), Ok(added)) => Ok(Some(Growth { added, new_total })),
        _ => {
            let available = (i64::from(max) - i64::from(assigned)).max(0);
            Err(match ceiling {
                Ceiling::Product { max } => GrowthError::ProductMaximum {
                    max,
                    available,
                    requested,
                },
                Ceiling::Trial { max } => GrowthError::TrialMaximum {
                    max,
                    available,
                    requested,
                },
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn count(n: u32) -> LicenseCount {
        LicenseCount::parse(i64::from(n), 300).unwrap()
    }

    const PRODUCT: Ceiling = Ceiling::Product { max: 300 };

    #[test]
    fn two_free_and_four_newcomers_grow_by_two() {
        let growth = grow_to_fit(count(10), 8, 4, PRODUCT).unwrap().unwrap();
        assert_eq!(growth.added, 2);
        assert_eq!(growth.new_total, count(12));
    }

    #[test]
    fn newcomers_that_fit_grow_nothing() {
        assert_eq!(grow_to_fit(count(10), 6, 4, PRODUCT), Ok(None));
        assert_eq!(grow_to_fit(count(10), 10, 0, PRODUCT), Ok(None));
    }

    #[test]
    fn growth_may_reach_the_maximum_but_not_pass_it() {
        let growth = grow_to_fit(count(290), 290, 10, PRODUCT).unwrap().unwrap();
        assert_eq!((growth.added, growth.new_total.get()), (10, 300));
        assert_eq!(
            grow_to_fit(count(290), 290, 11, PRODUCT),
            Err(GrowthError::ProductMaximum {
                max: 300,
                available: 10,
                requested: 11
            })
        );
    }

    #[test]
    fn a_trial_grows_within_its_offer_only() {
        let trial = Ceiling::Trial { max: 25 };
        let growth = grow_to_fit(count(20), 20, 5, trial).unwrap().unwrap();
        assert_eq!(growth.new_total.get(), 25);
        assert_eq!(
            grow_to_fit(count(20), 19, 7, trial),
            Err(GrowthError::TrialMaximum {
                max: 25,
                available: 6,
                requested: 7
            })
        );
    }

    #[test]
    fn a_total_already_past_a_lowered_maximum_cannot_grow() {
        // The catalog lowered the maximum below what the subscription holds:
        // it keeps its licenses, but grows no further.
        let total = LicenseCount::parse(40, 100).unwrap();
        assert_eq!(
            grow_to_fit(total, 40, 1, Ceiling::Product { max: 30 }),
            Err(GrowthError::ProductMaximum {
                max: 30,
                available: 0,
                requested: 1
            })
        );
        assert_eq!(
            grow_to_fit(total, 39, 1, Ceiling::Product { max: 30 }),
            Ok(None)
        );
    }

    proptest! {
        #[test]
        fn growth_is_exactly_the_shortfall_and_never_passes_the_ceiling(
            total in 1u32..=300,
            held in 0u32..=300,
            newcomers in 0usize..=20,
        ) {
            let assigned = held.min(total);
            let result = grow_to_fit(count(total), assigned, newcomers, PRODUCT);
            let free = total - assigned;
            let needed = newcomers as u32;
            match result {
                Ok(None) => prop_assert!(needed <= free),
                Ok(Some(g)) => {
                    prop_assert_eq!(g.added, needed - free);
                    prop_assert!(g.new_total.get() <= 300);
                    // Afterwards exactly every newcomer fits, none spare.
                    prop_assert_eq!(g.new_total.get() - assigned, needed);
                }
                Err(GrowthError::ProductMaximum { available, requested, .. }) => {
                    prop_assert!(assigned + needed > 300);
                    prop_assert_eq!(available, i64::from(300 - assigned));
                    prop_assert_eq!(requested, i64::from(needed));
                }
                Err(e) => prop_assert!(false, "unexpected {:?}", e),
            }
        }
    }
}
