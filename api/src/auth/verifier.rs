//! JWT verification with only the configured algorithms and keys.

use super::claims::Claims;
use crate::config::JwtSettings;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
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
}

struct VerificationKey {
    kid: Option<String>,
    algorithm: Algorithm,
    key: DecodingKey,
}

pub struct JwtVerifier {
    keys: Vec<VerificationKey>,
    issuer: String,
    audience: String,
    /// Present only with an HS256 secret: lets `selfserve token` mint local tokens.
    signing_key: Option<EncodingKey>,
}

#[derive(Debug, Error)]
#[error("{0}")]
pub struct KeyLoadError(pub String);

impl JwtVerifier {
    pub fn hs256(secret: &str, settings: &JwtSettings) -> Self {
        Self {
            keys: vec![VerificationKey {
                kid: None,
                algorithm: Algorithm::HS256,
                key: DecodingKey::from_secret(secret.as_bytes()),
            }],
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            signing_key: Some(EncodingKey::from_secret(secret.as_bytes())),
        }
    }

    /// RS256/ES256 public keys from a PEM file (one or more `PUBLIC KEY` blocks) or a JWKS document.
    pub fn public_keys(text: &str, settings: &JwtSettings) -> Result<Self, KeyLoadError> {
        let keys = if text.trim_start().starts_with('{') {
            Self::from_jwks(text)?
        } else {
            Self::from_pem(text)?
        };
        if keys.is_empty() {
            return Err(KeyLoadError("no RS256 or ES256 public key found".into()));
        }
        Ok(Self {
            keys,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            signing_key: None,
        })
    }

    fn from_jwks(text: &str) -> Result<Vec<VerificationKey>, KeyLoadError> {
        let set: JwkSet = serde_json::from_str(text)
            .map_err(|e| KeyLoadError(format!("not a JWKS document: {e}")))?;
        let mut keys = Vec::new();
        for jwk in &set.keys {
            let algorithm = match &jwk.algorithm {
                jsonwebtoken::jwk::AlgorithmParameters::RSA(_) => Algorithm::RS256,
                jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(_) => Algorithm::ES256,
                _ => continue,
            };
            let key = DecodingKey::from_jwk(jwk)
                .map_err(|e| KeyLoadError(format!("unusable JWK: {e}")))?;
            keys.push(VerificationKey {
                kid: jwk.common.key_id.clone(),
                algorithm,
                key,
            });
        }
        Ok(keys)
    }

    fn from_pem(text: &str) -> Result<Vec<VerificationKey>, KeyLoadError> {
        let mut keys = Vec::new();
        for block in text
            .split_inclusive("-----END PUBLIC KEY-----")
            .filter(|b| b.contains("BEGIN"))
        {
            let pem = block.trim().as_bytes();
            if let Ok(key) = DecodingKey::from_rsa_pem(pem) {
                keys.push(VerificationKey {
                    kid: None,
                    algorithm: Algorithm::RS256,
                    key,
                });
            } else if let Ok(key) = DecodingKey::from_ec_pem(pem) {
                keys.push(VerificationKey {
                    kid: None,
                    algorithm: Algorithm::ES256,
                    key,
                });
            } else {
                return Err(KeyLoadError(
                    "a PEM block is neither an RSA nor an EC public key".into(),
                ));
            }
        }
        Ok(keys)
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

    /// Verifies signature, algorithm, `exp`/`nbf` (with leeway), issuer, audience and required claims.
    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| AuthError::Malformed)?;
        let candidates = self
            .keys
            .iter()
            .filter(|k| k.algorithm == header.alg)
            .filter(|k| match (&header.kid, &k.kid) {
                (Some(wanted), Some(have)) => wanted == have,
                _ => true,
            });
        let mut last = AuthError::AlgorithmNotAccepted;
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
