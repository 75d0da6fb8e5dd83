//! In-app notifications (PRODUCT.md §8): who is told about which event. A
//! pure rule, applied when the event is written, so the notifications are
//! stored in the same transaction as the change and nothing is ever lost.

use crate::event::EventType;
use crate::UserId;

/// Who an event concerns, as the use case that wrote it knows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The member who made the change; `None` when the system did (the billing run).
    pub actor: Option<UserId>,
    /// The person the resource belongs to: a subscription's purchaser, a
    /// card's owner, a license request's requester.
    pub owner: Option<UserId>,
    /// A subscription bought by a member for themselves (not for the organisation).
    pub self_service: bool,
    /// A trial of a product nobody in the organisation had tried before.
    pub first_trial_of_product: bool,
}

/// Who is told, before admins are looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Every admin of the organisation.
    Admins,
    /// One person.
    Person(UserId),
}

/// The rule of PRODUCT.md §8. Admins hear of every self-service purchase,
/// the first trial of each product and every license request; the owner of
/// a subscription hears of its take-over, its lifecycle changes, seat use
/// reaching a threshold; a card's owner of its coming expiry; a requester of
/// the decision. Everything else is for webhooks only.
pub fn audience(event: EventType, facts: &Facts) -> Option<Audience> {
    use EventType as E;
    let owner = facts.owner.map(Audience::Person);
    match event {
        E::SubscriptionCreated if facts.self_service => Some(Audience::Admins),
        E::SubscriptionTrialStarted if facts.self_service && facts.first_trial_of_product => {
            Some(Audience::Admins)
        }
        E::LicenseRequestCreated | E::WebhookEndpointDisabled => Some(Audience::Admins),
        // On a member's own purchase only a take-over lets another member
        // cancel it (the system may: at period end), and the take-over's notice already says so: one notice.
        E::SubscriptionCanceled
            if facts.self_service && facts.actor.is_some() && facts.actor != facts.owner =>
        {
            None
        }
        E::SubscriptionTakenOver
        | E::SubscriptionCanceled
        | E::SubscriptionExpired
        | E::SubscriptionDisabled
        | E::SubscriptionDeleted
        | E::SubscriptionReactivated
        | E::PaymentMethodExpiring
        | E::SeatsThresholdReached
        | E::LicenseRequestDecided => owner,
        _ => None,
    }
}

/// The people told: the audience with admins looked up, each once, and
/// never the person who made the change — nobody is notified of what they
/// just did — except of a seat threshold their own assignment reached,
/// which is news to them too.
pub fn recipients(
    event: EventType,
    audience: Option<Audience>,
    admins: &[UserId],
    actor: Option<UserId>,
) -> Vec<UserId> {
    let mut people: Vec<UserId> = match audience {
        None => Vec::new(),
        Some(Audience::Admins) => admins.to_vec(),
        Some(Audience::Person(who)) => vec![who],
    };
    if event != EventType::SeatsThresholdReached {
        people.retain(|p| Some(*p) != actor);
    }
    people.sort();
    people.dedup();
    people
}

/// A notification's short title.
pub fn title(event: EventType) -> &'static str {
    use EventType as E;
    match event {
        E::SubscriptionCreated => "New self-service purchase",
        E::SubscriptionTrialStarted => "First trial of a product",
        E::SubscriptionConverted => "Trial converted",
        E::SubscriptionLicenseCountChanged => "License count changed",
        E::SubscriptionCanceled => "Subscription canceled",
        E::SubscriptionExpired => "Subscription expired",
        E::SubscriptionDisabled => "Subscription disabled",
        E::SubscriptionDeleted => "Subscription deleted",
        E::SubscriptionReactivated => "Subscription reactivated",
        E::SubscriptionTakenOver => "Subscription taken over by an admin",
        E::LicensesAssigned => "Licenses assigned",
        E::LicensesUnassigned => "Licenses unassigned",
        E::LicenseRequestCreated => "New license request",
        E::LicenseRequestDecided => "License request decided",
        E::InvoiceIssued => "Invoice issued",
        E::PaymentMethodExpiring => "Card expiring soon",
        E::SeatsThresholdReached => "Seat use threshold reached",
        E::WebhookEndpointDisabled => "Webhook endpoint switched off",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EventType as E;

    fn user() -> UserId {
        UserId::new_random()
    }

    fn told(event: EventType, facts: Facts, admins: &[UserId]) -> Vec<UserId> {
        recipients(event, audience(event, &facts), admins, facts.actor)
    }

    #[test]
    fn admins_hear_of_self_service_purchases_first_trials_and_requests() {
        let (buyer, a1, a2) = (user(), user(), user());
        let admins = [a1, a2];
        let bought = Facts {
            actor: Some(buyer),
            owner: Some(buyer),
            self_service: true,
            ..Facts::default()
        };
        let mut both = vec![a1, a2];
        both.sort();
        assert_eq!(told(E::SubscriptionCreated, bought, &admins), both);
        // An organisation purchase is the admins' own doing.
        let for_org = Facts {
            self_service: false,
            ..bought
        };
        assert!(told(E::SubscriptionCreated, for_org, &admins).is_empty());
        // Only the first trial of a product.
        assert!(told(E::SubscriptionTrialStarted, bought, &admins).is_empty());
        let first = Facts {
            first_trial_of_product: true,
            ..bought
        };
        assert_eq!(told(E::SubscriptionTrialStarted, first, &admins), both);
        let asked = Facts {
            actor: Some(buyer),
            owner: Some(buyer),
            ..Facts::default()
        };
        assert_eq!(told(E::LicenseRequestCreated, asked, &admins), both);
        // An admin buying for themselves is not told of it; the other admin is.
        let by_admin = Facts {
            actor: Some(a1),
            owner: Some(a1),
            self_service: true,
            ..Facts::default()
        };
        assert_eq!(told(E::SubscriptionCreated, by_admin, &admins), vec![a2]);
    }

    #[test]
    fn owners_hear_of_what_happens_to_their_subscription() {
        let (buyer, admin) = (user(), user());
        let by_admin = Facts {
            actor: Some(admin),
            owner: Some(buyer),
            self_service: true,
            ..Facts::default()
        };
        assert_eq!(
            told(E::SubscriptionTakenOver, by_admin, &[admin]),
            vec![buyer]
        );
        // The take-over's cancellation is not told twice.
        assert!(told(E::SubscriptionCanceled, by_admin, &[admin]).is_empty());
        let by_system = Facts {
            actor: None,
            ..by_admin
        };
        for event in [
            E::SubscriptionExpired,
            E::SubscriptionDisabled,
            E::SubscriptionDeleted,
            E::SubscriptionCanceled,
        ] {
            assert_eq!(told(event, by_system, &[admin]), vec![buyer], "{event}");
        }
        // Another admin canceling an organisation subscription tells its buyer.
        let org = Facts {
            self_service: false,
            ..by_admin
        };
        assert_eq!(told(E::SubscriptionCanceled, org, &[admin]), vec![buyer]);
        // Their own cancellation or reactivation is not news to them.
        let own = Facts {
            actor: Some(buyer),
            ..by_admin
        };
        assert!(told(E::SubscriptionCanceled, own, &[admin]).is_empty());
        assert!(told(E::SubscriptionReactivated, own, &[admin]).is_empty());
        // A threshold their own assignment reached is.
        assert_eq!(told(E::SeatsThresholdReached, own, &[admin]), vec![buyer]);
        assert_eq!(
            told(E::PaymentMethodExpiring, by_system, &[admin]),
            vec![buyer]
        );
    }

    #[test]
    fn requesters_hear_the_decision_and_nothing_else_is_told() {
        let (member, admin) = (user(), user());
        let decided = Facts {
            actor: Some(admin),
            owner: Some(member),
            ..Facts::default()
        };
        assert_eq!(
            told(E::LicenseRequestDecided, decided, &[admin]),
            vec![member]
        );
        // The system switched an endpoint off: every admin hears of it.
        assert_eq!(
            told(E::WebhookEndpointDisabled, Facts::default(), &[admin]),
            vec![admin]
        );
        let quiet = [
            E::SubscriptionConverted,
            E::SubscriptionLicenseCountChanged,
            E::LicensesAssigned,
            E::LicensesUnassigned,
            E::InvoiceIssued,
        ];
        let facts = Facts {
            actor: Some(member),
            owner: Some(member),
            self_service: true,
            first_trial_of_product: true,
        };
        for event in quiet {
            assert!(told(event, facts, &[admin]).is_empty(), "{event}");
        }
        for event in EventType::ALL {
            assert!(!title(*event).is_empty());
        }
    }
}
