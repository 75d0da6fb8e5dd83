//! Minting local tokens (`selfserve token`, tests).

use super::{Claims, JwtVerifier};
use uuid::Uuid;

pub fn mint(
    verifier: &JwtVerifier,
    org: Uuid,
    user: Uuid,
    admin: bool,
    name: Option<String>,
    email: Option<String>,
    ttl_secs: u64,
) -> Result<String, String> {
    let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
    let claims = Claims {
        iss: verifier.issuer().to_owned(),
        aud: serde_json::Value::String(verifier.audience().to_owned()),
        exp: now + ttl_secs,
        iat: Some(now),
        sub: user,
        tid: org,
        name,
        email,
        roles: if admin {
            vec!["admin".to_owned()]
        } else {
            vec![]
        },
    };
    verifier.sign(&claims)
}
