//! Bearer-token authentication: JWT verification (configured keys and an
//! identity provider's JWKS endpoint), a bounded cache of verified tokens,
//! and `Caller`, the authenticated member. The request extractor lives in
//! `handlers::caller`, so this module depends on configuration only.

pub mod cache;
pub mod caller;
pub mod claims;
pub mod jwks;
pub mod keys;
pub mod token;
pub mod verifier;

pub use caller::Caller;
pub use claims::Claims;
pub use verifier::{AuthError, JwtVerifier};
