//! A batch of users to assign (or unassign) licenses to: 1 to 20 distinct
//! users. A batch of 0 or 21 cannot be constructed.

use crate::ids::UserId;
use std::collections::HashSet;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentBatch(Vec<UserId>);

#[derive(Debug, Error, PartialEq, Eq)]
pub enum BatchError {
    #[error("name at least one user")]
    Empty,
    #[error("at most {max} users per request, got {got}")]
    TooMany { max: usize, got: usize },
    #[error("each user may appear once; repeated: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))]
    Duplicates(Vec<UserId>),
}

impl AssignmentBatch {
    pub const MAX: usize = 20;

    pub fn parse(users: Vec<UserId>) -> Result<Self, BatchError> {
        if users.is_empty() {
            return Err(BatchError::Empty);
        }
        if users.len() > Self::MAX {
            return Err(BatchError::TooMany {
                max: Self::MAX,
                got: users.len(),
            });
        }
        let mut seen = HashSet::with_capacity(users.len());
        let mut repeated: Vec<UserId> =
            users.iter().copied().filter(|u| !seen.insert(*u)).collect();
        if !repeated.is_empty() {
            repeated.sort();
            repeated.dedup();
            return Err(BatchError::Duplicates(repeated));
        }
        Ok(Self(users))
    }

    pub fn users(&self) -> &[UserId] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Never true: a batch holds at least one user.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// How many of the batch still need a license, and whether they fit.
pub fn check_capacity(needed: usize, license_count: i64, assigned: i64) -> Result<(), (i64, i64)> {
    let available = (license_count - assigned).max(0);
    let requested = needed as i64;
    if requested <= available {
        Ok(())
    } else {
        Err((available, requested))
    }
}

/// Whether an assignment is a license its user holds (`active`), or one
/// kept while its subscription is disabled (`suspended`, PRODUCT.md §8) so
/// that reactivation can give it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AssignmentState {
    Active,
    Suspended,
}

impl AssignmentState {
    pub const ALL: [AssignmentState; 2] = [AssignmentState::Active, AssignmentState::Suspended];

    pub fn as_str(&self) -> &'static str {
        match self {
            AssignmentState::Active => "active",
            AssignmentState::Suspended => "suspended",
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("assignment state must be `active` or `suspended`, got {0:?}")]
pub struct InvalidAssignmentState(pub String);

impl std::str::FromStr for AssignmentState {
    type Err = InvalidAssignmentState;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AssignmentState::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| InvalidAssignmentState(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn users(n: usize) -> Vec<UserId> {
        (0..n).map(|_| UserId::new_random()).collect()
    }

    #[test]
    fn boundaries_0_1_20_21() {
        assert_eq!(AssignmentBatch::parse(vec![]), Err(BatchError::Empty));
        assert_eq!(AssignmentBatch::parse(users(1)).unwrap().len(), 1);
        assert_eq!(AssignmentBatch::parse(users(20)).unwrap().len(), 20);
        assert_eq!(
            AssignmentBatch::parse(users(21)),
            Err(BatchError::TooMany { max: 20, got: 21 })
        );
    }

    #[test]
    fn duplicates_are_named_once() {
        let a = UserId::new_random();
        let b = UserId::new_random();
        assert_eq!(
            AssignmentBatch::parse(vec![a, b, a, a]),
            Err(BatchError::Duplicates(vec![a]))
        );
    }

    #[test]
    fn capacity_at_the_edges() {
        assert_eq!(check_capacity(5, 10, 5), Ok(()));
        assert_eq!(check_capacity(6, 10, 5), Err((5, 6)));
        assert_eq!(check_capacity(0, 10, 10), Ok(()));
        assert_eq!(check_capacity(1, 10, 10), Err((0, 1)));
    }

    proptest! {
        #[test]
        fn any_batch_that_parses_holds_1_to_20_distinct_users(n in 0usize..40, dup in proptest::bool::ANY) {
            let mut list = users(n);
            if dup && n > 0 {
                list.push(list[0]);
            }
            match AssignmentBatch::parse(list.clone()) {
                Ok(batch) => {
                    prop_assert!((1..=20).contains(&batch.len()));
                    let distinct: HashSet<_> = batch.users().iter().collect();
                    prop_assert_eq!(distinct.len(), batch.len());
                }
                Err(_) => prop_assert!(list.is_empty() || list.len() > 20 || dup),
            }
        }
    }
}
