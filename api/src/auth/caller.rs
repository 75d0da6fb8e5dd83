//! `Caller`: the authenticated member behind a request — the use cases'
//! `Actor` plus what only the API reports (the token's roles claim). How a
//! request becomes one (the bearer token, the verified-token cache,
//! provisioning) is `handlers::caller`: this module knows nothing of
//! requests, state or use cases.

use usecases::Actor;

#[derive(Clone, Debug)]
pub struct Caller {
    actor: Actor,
    /// The token's roles claim as given, reported by `GET /v1/me`.
    pub roles: Vec<String>,
}

impl Caller {
    pub fn new(actor: Actor, roles: Vec<String>) -> Self {
        Self { actor, roles }
    }

    /// Who the use cases act for.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn is_admin(&self) -> bool {
        self.actor.is_admin()
    }
}
