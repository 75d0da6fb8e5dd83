//! What every handler can reach: the use cases' services (database, catalog,
//! clock, tax rate, keyed hasher), the token verifier and cache, and
//! deployment facts.

use crate::auth::cache::TokenCache;
use crate::auth::JwtVerifier;
use crate::config::Cloud;
use std::sync::Arc;
use usecases::Services;

pub struct AppState {
    pub services: Services,
    pub verifier: Arc<JwtVerifier>,
    pub tokens: TokenCache,
    pub deployment: Deployment,
}

#[derive(Clone, Debug)]
pub struct Deployment {
    pub cloud: Cloud,
    pub portal_url: String,
}
