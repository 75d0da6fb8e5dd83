//! Verified tokens, kept until they expire so that a token's signature is
//! checked (and its user provisioned) once rather than on every request.

use super::caller::Caller;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;

/// Keyed by the token's SHA-256, never the token itself.
type TokenKey = [u8; 32];

pub struct TokenCache {
    entries: Mutex<HashMap<TokenKey, (Caller, u64)>>,
    capacity: usize,
}

impl TokenCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::with_capacity(capacity.min(1024))),
            capacity,
        }
    }

    pub fn key(token: &str) -> TokenKey {
        Sha256::digest(token.as_bytes()).into()
    }

    /// The caller for a token verified before, while it has not expired.
    /// No leeway here: a cached token lapses at its `exp` exactly, and a later
    /// request goes back through full verification (which applies the leeway).
    pub fn get(&self, key: &TokenKey, now: u64) -> Option<Caller> {
        let entries = self.entries.lock().ok()?;
        match entries.get(key) {
            Some((caller, exp)) if *exp > now => Some(caller.clone()),
            _ => None,
        }
    }

    pub fn insert(&self, key: TokenKey, caller: Caller, exp: u64, now: u64) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= self.capacity {
            entries.retain(|_, (_, e)| *e > now);
            if entries.len() >= self.capacity {
                // Still full of live tokens: start over rather than grow without bound.
                entries.clear();
            }
        }
        entries.insert(key, (caller, exp));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::user::Role;

    fn caller() -> Caller {
        Caller::new(
            usecases::Actor {
                user_id: domain::UserId::new_random(),
                organization_id: domain::OrganizationId::new_random(),
                role: Role::Member,
            },
            vec![],
        )
    }

    #[test]
    fn entries_lapse_at_exp_and_capacity_is_bounded() {
        let cache = TokenCache::new(2);
        let (a, b, c) = (
            TokenCache::key("a"),
            TokenCache::key("b"),
            TokenCache::key("c"),
        );
        cache.insert(a, caller(), 100, 0);
        assert!(cache.get(&a, 99).is_some());
        assert!(cache.get(&a, 100).is_none());
        cache.insert(b, caller(), 100, 0);
        cache.insert(c, caller(), 100, 0);
        let live = [a, b, c]
            .iter()
            .filter(|k| cache.get(k, 50).is_some())
            .count();
        assert!(live <= 2);
        assert!(cache.get(&c, 50).is_some());
    }
}
