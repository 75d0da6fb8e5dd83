//! JWT verification with only the configured algorithms and keys.

use super::claims::Claims;
use super::jwks::JwksKeys;
use super::keys::VerificationKey;
use crate::config::JwtSettings;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use thiserror::Error;

/// At most 60 s of clock skew is forgiven (PRODUCT.md §1).
pub const LEEWAY_SECS: u64 = 60;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum AuthError {
    #[error("the Authorization header must be `Bearer <token>`")]
    MissingToken,
    #[error("the token is malformed")]
    Malformed,
    #[error("the token's algorithm is not accepted")]
    AlgorithmNotAccepted,
    #[error("the token's signature is invalid")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token was issued for another audience")]
    WrongAudience,
    #[error("the token was issued by an unknown issuer")]
    WrongIssuer,
    #[error("the token lacks the required claim `{0}`")]
    MissingClaim(String),
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token's signing key (`kid`) is not known")]
    UnknownKey,
}

pub struct JwtVerifier {
    /// Keys from configuration: the HS256 secret, or a PEM/JWKS file.
    keys: Vec<VerificationKey>,
    /// Keys from an identity provider's JWKS endpoint, alongside `keys`.
    jwks: Option<JwksKeys>,
    issuer: String,
    audience: String,
    /// Present only with an HS256 secret: lets `selfserve token` mint local tokens.
    signing_key: Option<EncodingKey>,
}

impl JwtVerifier {
    pub fn hs256(secret: &SecretString, settings: &JwtSettings) -> Self {
        let secret = secret.expose_secret().as_bytes();
        Self {
            keys: vec![VerificationKey {
                kid: None,
                algorithm: Algorithm::HS256,
                key: DecodingKey::from_secret(secret),
            }],
            jwks: None,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            signing_key: Some(EncodingKey::from_secret(secret)),
        }
    }

    /// RS256/ES256 only: keys from a file, from a JWKS endpoint, or both.
    pub fn public_keys(
        keys: Vec<VerificationKey>,
        jwks: Option<JwksKeys>,
        settings: &JwtSettings,
    ) -> Self {
        Self {
            keys,
            jwks,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            signing_key: None,
        }
    }

    /// The fetch at start, when keys come from a JWKS endpoint (bounded by
    /// its timeout; a failure is logged and the start goes on).
    pub async fn prime(&self) {
        if let Some(jwks) = &self.jwks {
            jwks.prime().await;
        }
    }

    fn validation(&self, algorithm: Algorithm) -> Validation {
        let mut validation = Validation::new(algorithm);
        validation.leeway = LEEWAY_SECS;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation
    }

    /// Verifies signature, algorithm, `exp`/`nbf` (with leeway), issuer,
    /// audience and required claims. With a JWKS endpoint, a `kid` not held
    /// yet may first fetch the provider's keys (bounded; see `jwks`).
    pub async fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| AuthError::Malformed)?;
        if let Some(jwks) = &self.jwks {
            // Only a token that a JWKS key could verify may cause a fetch.
            if matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
                jwks.refresh_for(header.kid.as_deref()).await;
            }
        }
        self.verify_with_held_keys(&header, token)
    }

    fn verify_with_held_keys(&self, header: &Header, token: &str) -> Result<Claims, AuthError> {
        let fetched = self.jwks.as_ref().map(JwksKeys::snapshot);
        let same_algorithm: Vec<&VerificationKey> = self
            .keys
            .iter()
            .chain(fetched.iter().flat_map(|keys| keys.iter()))
            .filter(|k| k.algorithm == header.alg)
            .collect();
        let mut last = if same_algorithm.is_empty() {
            AuthError::AlgorithmNotAccepted
        } else {
            AuthError::UnknownKey
        };
        let candidates = same_algorithm
            .into_iter()
            .filter(|k| match (&header.kid, &k.kid) {
                (Some(wanted), Some(have)) => wanted == have,
                _ => true,
            });
        for candidate in candidates {
            match jsonwebtoken::decode::<Claims>(
                token,
                &candidate.key,
                &self.validation(candidate.algorithm),
            ) {
                Ok(data) => return Ok(data.claims),
                Err(e) => {
                    last = map_error(e);
                    if last != AuthError::BadSignature {
                        return Err(last);
                    }
                }
            }
        }
        Err(last)
    }

    pub fn can_sign(&self) -> bool {
        self.signing_key.is_some()
    }

    /// Mints an HS256 token (local use: the `token` command and tests).
    pub fn sign(&self, claims: &Claims) -> Result<String, String> {
        let key = self
            .signing_key
            .as_ref()
            .ok_or("tokens can only be minted with an HS256 secret; use your identity provider for RS256/ES256")?;
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, key).map_err(|e| e.to_string())
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn audience(&self) -> &str {
        &self.audience
    }
}

fn map_error(e: jsonwebtoken::errors::Error) -> AuthError {
    use jsonwebtoken::errors::ErrorKind as K;
    match e.kind() {
        K::InvalidSignature => AuthError::BadSignature,
        K::ExpiredSignature => AuthError::Expired,
        K::InvalidAudience => AuthError::WrongAudience,
        K::InvalidIssuer => AuthError::WrongIssuer,
        K::ImmatureSignature => AuthError::NotYetValid,
        K::MissingRequiredClaim(claim) => AuthError::MissingClaim(claim.clone()),
        K::InvalidAlgorithm | K::MissingAlgorithm | K::UnsupportedAlgorithm => {
            AuthError::AlgorithmNotAccepted
        }
        K::Json(inner) => {
            // serde reports a missing `tid` or `sub` as "missing field `tid`".
            let text = inner.to_string();
            match text.split('`').nth(1) {
                Some(field) if text.starts_with("missing field") => {
                    AuthError::MissingClaim(field.to_owned())
                }
                _ => AuthError::Malformed,
            }
        }
        _ => AuthError::Malformed,
    }
}
