//! Who may see and who may manage a subscription: the one rule every use
//! case asks (PRODUCT.md §2 and §7), instead of checks scattered over them.
//!
//! | subscription  | its purchaser | another admin | another member |
//! |---------------|---------------|---------------|----------------|
//! | self-service  | manage        | read only     | hidden         |
//! | organisation  | manage (admin)| manage        | hidden         |
//!
//! "Hidden" is answered as if the subscription did not exist (404), so a
//! member cannot even learn its id is taken. An admin's one write on a
//! member's purchase is taking control of it
//! ([`check_source`](super::check_source) says which purchases can be taken).

use crate::ids::UserId;
use crate::subscription::SubscriptionSource;

/// The caller, as far as access is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: UserId,
    pub is_admin: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Change, assign, cancel, read.
    Manage,
    /// Read only (an admin looking at a member's purchase).
    ReadOnly,
    /// Not even visible.
    Hidden,
}

impl Access {
    pub fn can_read(&self) -> bool {
        !matches!(self, Access::Hidden)
    }
}

/// What `viewer` may do with a subscription bought by `purchaser` from `source`.
pub fn subscription_access(
    viewer: Viewer,
    purchaser: UserId,
    source: SubscriptionSource,
) -> Access {
    match source {
        SubscriptionSource::Organization if viewer.is_admin => Access::Manage,
        // A member who was an admin when buying for the organisation and is
        // no longer one manages nothing of the organisation's.
        SubscriptionSource::Organization => Access::Hidden,
        SubscriptionSource::SelfService if viewer.user_id == purchaser => Access::Manage,
        SubscriptionSource::SelfService if viewer.is_admin => Access::ReadOnly,
        SubscriptionSource::SelfService => Access::Hidden,
    }
}

/// Only admins buy for the organisation.
pub fn may_buy(viewer: Viewer, source: SubscriptionSource) -> bool {
    match source {
        SubscriptionSource::SelfService => true,
        SubscriptionSource::Organization => viewer.is_admin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SubscriptionSource::{Organization, SelfService};

    fn viewer(is_admin: bool) -> Viewer {
        Viewer {
            user_id: UserId::new_random(),
            is_admin,
        }
    }

    #[test]
    fn the_table_in_the_module_documentation() {
        let (member, admin) = (viewer(false), viewer(true));
        let someone = UserId::new_random();
        // Self-service: the purchaser manages, an admin reads, others see nothing.
        assert_eq!(
            subscription_access(member, member.user_id, SelfService),
            Access::Manage
        );
        assert_eq!(
            subscription_access(admin, admin.user_id, SelfService),
            Access::Manage
        );
        assert_eq!(
            subscription_access(admin, someone, SelfService),
            Access::ReadOnly
        );
        assert_eq!(
            subscription_access(member, someone, SelfService),
            Access::Hidden
        );
        // Organisation: every admin manages; members never see it.
        assert_eq!(
            subscription_access(admin, someone, Organization),
            Access::Manage
        );
        assert_eq!(
            subscription_access(admin, admin.user_id, Organization),
            Access::Manage
        );
        assert_eq!(
            subscription_access(member, someone, Organization),
            Access::Hidden
        );
        // Even the member who bought it while an admin, once no longer one.
        assert_eq!(
            subscription_access(member, member.user_id, Organization),
            Access::Hidden
        );
    }

    #[test]
    fn only_hidden_cannot_be_read() {
        assert!(Access::Manage.can_read() && Access::ReadOnly.can_read());
        assert!(!Access::Hidden.can_read());
    }

    #[test]
    fn only_admins_buy_for_the_organisation() {
        assert!(may_buy(viewer(false), SelfService));
        assert!(!may_buy(viewer(false), Organization));
        assert!(may_buy(viewer(true), Organization));
    }
}
