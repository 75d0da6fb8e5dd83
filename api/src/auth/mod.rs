//! Bearer-token authentication: JWT verification, a bounded cache of verified
//! tokens, and the `Caller` extractor that provisions users just in time.

pub mod cache;
pub mod caller;
pub mod claims;
pub mod token;
pub mod verifier;

pub use caller::Caller;
pub use claims::Claims;
pub use verifier::{AuthError, JwtVerifier};
