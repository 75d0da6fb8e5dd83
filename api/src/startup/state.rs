//! What every handler can reach: the use cases' services (database, catalog,
//! clock, tax rate, keyed hasher), the token verifier and cache, and
//! deployment facts.

use crate::auth::cache::TokenCache;
use crate::auth::JwtVerifier;
use crate::config::Cloud;
use crate::read_cache::ReadCache;
use std::sync::Arc;
use usecases::Services;

pub struct AppState {
    pub services: Services,
    pub verifier: Arc<JwtVerifier>,
    pub tokens: TokenCache,
    /// Answers to repeated reads while the database is unchanged (SQLite only).
    pub reads: ReadCache,
    pub deployment: Deployment,
}

#[derive(Clone, Debug)]
pub struct Deployment {
    pub cloud: Cloud,
    pub portal_url: String,
}

impl AppState {
    /// `make`'s answer to a read, or the one kept for the same request from
    /// the same caller today while nothing was committed since (`read_cache`).
    pub async fn cached_read<F, Fut>(
        &self,
        caller: &crate::auth::Caller,
        request: &actix_web::HttpRequest,
        make: F,
    ) -> Result<actix_web::HttpResponse, crate::error::ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<actix_web::HttpResponse, crate::error::ApiError>>,
    {
        let day = self.services.clock.now().date_naive();
        self.reads.answer(caller, request, day, make).await
    }
}
