//! Which self-service policy governs a new purchase or trial.
//!
//! A product's own policy (set by an admin for that product) wins; a product
//! without one follows the organisation's default, which therefore also
//! covers products added to the catalog after the default was chosen.
//! Organisation purchases are the organisation acting, not a member, so no
//! policy applies to them.

use crate::policy::{PolicyRefusal, SelfServicePolicy};
use crate::subscription::SubscriptionSource;

/// The policy of one product: its own, else the organisation's default.
pub fn effective_policy(
    own: Option<SelfServicePolicy>,
    organization_default: SelfServicePolicy,
) -> SelfServicePolicy {
    own.unwrap_or(organization_default)
}

/// May a purchase (or trial conversion) from `source` go ahead?
pub fn check_purchase(
    source: SubscriptionSource,
    own: Option<SelfServicePolicy>,
    organization_default: SelfServicePolicy,
) -> Result<(), PolicyRefusal> {
    if !source.is_governed() {
        return Ok(());
    }
    effective_policy(own, organization_default).check_purchase()
}

/// May a trial from `source` start?
pub fn check_trial(
    source: SubscriptionSource,
    own: Option<SelfServicePolicy>,
    organization_default: SelfServicePolicy,
) -> Result<(), PolicyRefusal> {
    if !source.is_governed() {
        return Ok(());
    }
    effective_policy(own, organization_default).check_trial()
}

#[cfg(test)]
mod tests {
    use super::*;
    use SelfServicePolicy::{Disabled, Enabled, TrialsOnly};
    use SubscriptionSource::{Organization, SelfService};

    #[test]
    fn a_products_own_policy_wins_over_the_default_either_way() {
        assert_eq!(effective_policy(Some(Enabled), Disabled), Enabled);
        assert_eq!(effective_policy(Some(Disabled), Enabled), Disabled);
        assert_eq!(effective_policy(Some(TrialsOnly), Disabled), TrialsOnly);
    }

    #[test]
    fn a_product_without_its_own_policy_follows_the_default() {
        for default in [Enabled, Disabled, TrialsOnly] {
            assert_eq!(effective_policy(None, default), default);
        }
    }

    #[test]
    fn default_disabled_blocks_a_members_purchase_and_trial() {
        assert_eq!(
            check_purchase(SelfService, None, Disabled),
            Err(PolicyRefusal::SelfServiceDisabled)
        );
        assert_eq!(
            check_trial(SelfService, None, Disabled),
            Err(PolicyRefusal::SelfServiceDisabled)
        );
        assert_eq!(
            check_purchase(SelfService, None, TrialsOnly),
            Err(PolicyRefusal::TrialsOnly)
        );
        assert_eq!(check_trial(SelfService, None, TrialsOnly), Ok(()));
    }

    #[test]
    fn organisation_purchases_are_exempt_from_every_policy() {
        for own in [None, Some(Disabled), Some(TrialsOnly)] {
            assert_eq!(check_purchase(Organization, own, Disabled), Ok(()));
            assert_eq!(check_trial(Organization, own, Disabled), Ok(()));
        }
    }
}
