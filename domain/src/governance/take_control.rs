//! An admin taking control of a member's self-service purchase by moving
//! its users onto an organisation subscription (PRODUCT.md §7).
//!
//! All or nothing: every user of the self-service subscription ends up
//! holding a license of the target, or nothing changes. Users who already
//! hold one there keep it and consume nothing; the others need one free
//! license each.

use crate::ids::{ProductId, SubscriptionId, UserId};
use crate::subscription::{SubscriptionSource, SubscriptionStatus};
use std::collections::HashSet;
use thiserror::Error;

/// Why a subscription cannot be taken control of.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum SourceRefusal {
    /// Canceled or expired: there is nothing left to take.
    #[error("the subscription is {0}, not live")]
    NotLive(SubscriptionStatus),
    /// Organisation subscriptions are the admins' own already.
    #[error("only a member's self-service subscription can be taken control of")]
    NotSelfService,
}

/// May an admin take control of a subscription in this state? `status` is
/// as of today (an ended trial reads as expired).
pub fn check_source(
    source: SubscriptionSource,
    status: SubscriptionStatus,
) -> Result<(), SourceRefusal> {
    if !status.is_live() {
        return Err(SourceRefusal::NotLive(status));
    }
    if source != SubscriptionSource::SelfService {
        return Err(SourceRefusal::NotSelfService);
    }
    Ok(())
}

/// What the decision needs to know about the subscription users move to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TargetFacts {
    pub id: SubscriptionId,
    pub source: SubscriptionSource,
    /// As of today.
    pub status: SubscriptionStatus,
    pub product_id: ProductId,
}

/// Why a target is not acceptable (all answered as one "invalid target").
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum TargetRefusal {
    #[error("the target must be an organisation subscription")]
    NotOrganization,
    #[error("the target subscription is {0}, not live")]
    NotLive(SubscriptionStatus),
    #[error("the target subscription is for another product")]
    OtherProduct,
    #[error("the target is the subscription being taken over")]
    SameSubscription,
}

/// Is `target` a live organisation subscription of the source's product?
pub fn check_target(
    source_id: SubscriptionId,
    source_product: ProductId,
    target: &TargetFacts,
) -> Result<(), TargetRefusal> {
    if target.id == source_id {
        return Err(TargetRefusal::SameSubscription);
    }
    if target.source != SubscriptionSource::Organization {
        return Err(TargetRefusal::NotOrganization);
    }
    if !target.status.is_live() {
        return Err(TargetRefusal::NotLive(target.status));
    }
    if target.product_id != source_product {
        return Err(TargetRefusal::OtherProduct);
    }
    Ok(())
}

/// The target has too few free licenses for the users who need one.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[error("the target has {available} free licenses, {requested} are needed")]
pub struct NotEnoughLicenses {
    pub available: i64,
    pub requested: i64,
}

/// Who moves, and who needs a new license on the target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MovePlan {
    moved: Vec<UserId>,
    newly_assigned: Vec<UserId>,
}

impl MovePlan {
    /// Every user of the source, in its order: all of them hold the target
    /// afterwards.
    pub fn moved(&self) -> &[UserId] {
        &self.moved
    }

    /// The users who take a license on the target (the others had one).
    pub fn newly_assigned(&self) -> &[UserId] {
        &self.newly_assigned
    }

    /// How many of the target's free licenses the move takes.
    pub fn licenses_consumed(&self) -> i64 {
        self.newly_assigned.len() as i64
    }
}

/// Plans moving `source_users` onto a target whose current holders are
/// `target_holders` and which has `target_free` unassigned licenses.
pub fn plan_move(
    source_users: &[UserId],
    target_holders: &HashSet<UserId>,
    target_free: i64,
) -> Result<MovePlan, NotEnoughLicenses> {
    let mut seen = HashSet::with_capacity(source_users.len());
    let moved: Vec<UserId> = source_users
        .iter()
        .copied()
        .filter(|u| seen.insert(*u))
        .collect();
    let newly_assigned: Vec<UserId> = moved
        .iter()
        .copied()
        .filter(|u| !target_holders.contains(u))
        .collect();
    let requested = newly_assigned.len() as i64;
    let available = target_free.max(0);
    if requested > available {
        return Err(NotEnoughLicenses {
            available,
            requested,
        });
    }
    Ok(MovePlan {
        moved,
        newly_assigned,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(n: usize) -> Vec<UserId> {
        (0..n).map(|_| UserId::new_random()).collect()
    }

    #[test]
    fn three_move_and_the_one_already_holding_consumes_nothing() {
        let source = users(3);
        let holders: HashSet<UserId> = [source[1], UserId::new_random()].into();
        let plan = plan_move(&source, &holders, 2).unwrap();
        assert_eq!(plan.moved(), source.as_slice());
        assert_eq!(plan.newly_assigned(), &[source[0], source[2]]);
        assert_eq!(plan.licenses_consumed(), 2);
    }

    #[test]
    fn exactly_enough_free_licenses_fit_one_fewer_does_not() {
        let source = users(4);
        assert!(plan_move(&source, &HashSet::new(), 4).is_ok());
        assert_eq!(
            plan_move(&source, &HashSet::new(), 3),
            Err(NotEnoughLicenses {
                available: 3,
                requested: 4
            })
        );
    }

    #[test]
    fn users_who_all_hold_the_target_need_no_free_license() {
        let source = users(2);
        let holders: HashSet<UserId> = source.iter().copied().collect();
        let plan = plan_move(&source, &holders, 0).unwrap();
        assert_eq!(plan.licenses_consumed(), 0);
        assert_eq!(plan.moved().len(), 2);
    }

    #[test]
    fn a_source_without_users_moves_nobody() {
        let plan = plan_move(&[], &HashSet::new(), 0).unwrap();
        assert!(plan.moved().is_empty());
        assert_eq!(plan.licenses_consumed(), 0);
    }

    #[test]
    fn an_overfull_target_reports_zero_available() {
        let source = users(1);
        assert_eq!(
            plan_move(&source, &HashSet::new(), -2),
            Err(NotEnoughLicenses {
                available: 0,
                requested: 1
            })
        );
    }

    #[test]
    fn only_live_self_service_subscriptions_can_be_taken() {
        use SubscriptionStatus::*;
        assert_eq!(
            check_source(SubscriptionSource::SelfService, Active),
            Ok(())
        );
        assert_eq!(check_source(SubscriptionSource::SelfService, Trial), Ok(()));
        assert_eq!(
            check_source(SubscriptionSource::SelfService, Canceled),
            Err(SourceRefusal::NotLive(Canceled))
        );
        assert_eq!(
            check_source(SubscriptionSource::SelfService, Expired),
            Err(SourceRefusal::NotLive(Expired))
        );
        assert_eq!(
            check_source(SubscriptionSource::Organization, Active),
            Err(SourceRefusal::NotSelfService)
        );
    }

    #[test]
    fn the_target_is_a_live_organisation_subscription_of_the_same_product() {
        let (source_id, product) = (SubscriptionId::new_random(), ProductId::new_random());
        let good = TargetFacts {
            id: SubscriptionId::new_random(),
            source: SubscriptionSource::Organization,
            status: SubscriptionStatus::Active,
            product_id: product,
        };
        assert_eq!(check_target(source_id, product, &good), Ok(()));
        let refused = |t: TargetFacts| check_target(source_id, product, &t).unwrap_err();
        assert_eq!(
            refused(TargetFacts {
                source: SubscriptionSource::SelfService,
                ..good
            }),
            TargetRefusal::NotOrganization
        );
        assert_eq!(
            refused(TargetFacts {
                status: SubscriptionStatus::Canceled,
                ..good
            }),
            TargetRefusal::NotLive(SubscriptionStatus::Canceled)
        );
        assert_eq!(
            refused(TargetFacts {
                product_id: ProductId::new_random(),
                ..good
            }),
            TargetRefusal::OtherProduct
        );
        assert_eq!(
            refused(TargetFacts {
                id: source_id,
                ..good
            }),
            TargetRefusal::SameSubscription
        );
    }
}
