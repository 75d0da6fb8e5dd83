//! Public verification keys: from a PEM file, a JWKS file or a JWKS endpoint.

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use thiserror::Error;

#[derive(Debug, Error)]
#[error("{0}")]
pub struct KeyLoadError(pub String);

/// One key and the one algorithm it verifies: an RSA key only ever checks
/// RS256 and an EC P-256 key only ES256, whatever a token's header claims.
#[derive(Clone)]
pub struct VerificationKey {
    pub kid: Option<String>,
    pub algorithm: Algorithm,
    pub key: DecodingKey,
}

/// RS256/ES256 public keys from a PEM file (one or more `PUBLIC KEY` blocks)
/// or a JWKS document. A key the file names but selfserve cannot use is an
/// error here: the operator chose the file.
pub fn from_file_text(text: &str) -> Result<Vec<VerificationKey>, KeyLoadError> {
    let keys = if text.trim_start().starts_with('{') {
        let (keys, skipped) = from_jwks(text)?;
        if let Some(why) = skipped.first() {
            return Err(KeyLoadError(format!("unusable JWK: {why}")));
        }
        keys
    } else {
        from_pem(text)?
    };
    if keys.is_empty() {
        return Err(KeyLoadError("no RS256 or ES256 public key found".into()));
    }
    Ok(keys)
}

/// The usable keys of a JWKS document, and why each other key was left out.
/// Identity providers publish more than signing keys (Keycloak lists its
/// RSA-OAEP encryption key too), so one odd key must not spoil the set.
pub fn from_jwks(text: &str) -> Result<(Vec<VerificationKey>, Vec<String>), KeyLoadError> {
    #[derive(serde::Deserialize)]
    struct RawSet {
        keys: Vec<serde_json::Value>,
    }
    let set: RawSet = serde_json::from_str(text)
        .map_err(|e| KeyLoadError(format!("not a JWKS document: {e}")))?;
    let mut keys = Vec::new();
    let mut skipped = Vec::new();
    for raw in set.keys {
        let kid = raw.get("kid").and_then(|k| k.as_str()).map(str::to_owned);
        let label = kid.clone().unwrap_or_else(|| "(no kid)".into());
        match serde_json::from_value::<Jwk>(raw)
            .map_err(|e| e.to_string())
            .and_then(|jwk| usable(&jwk))
        {
            Ok((algorithm, key)) => keys.push(VerificationKey {
                kid,
                algorithm,
                key,
            }),
            Err(why) => skipped.push(format!("{label}: {why}")),
        }
    }
    Ok((keys, skipped))
}

fn usable(jwk: &Jwk) -> Result<(Algorithm, DecodingKey), String> {
    if matches!(
        jwk.common.public_key_use,
        Some(ref u) if *u != PublicKeyUse::Signature
    ) {
        return Err("not a signing key (`use` is not `sig`)".into());
    }
    let algorithm = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => Algorithm::ES256,
        _ => return Err("only RSA (RS256) and EC P-256 (ES256) keys are accepted".into()),
    };
    let declared_ok = match jwk.common.key_algorithm {
        None => true,
        Some(KeyAlgorithm::RS256) => algorithm == Algorithm::RS256,
        Some(KeyAlgorithm::ES256) => algorithm == Algorithm::ES256,
        Some(_) => false,
    };
    if !declared_ok {
        return Err("its `alg` is not RS256 or ES256".into());
    }
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    Ok((algorithm, key))
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

#[cfg(test)]
mod tests {
    use super::*;

    const EC_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    const EC_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

    #[test]
    fn odd_keys_are_skipped_not_fatal() {
        let doc = serde_json::json!({"keys": [
            {"kty": "EC", "crv": "P-256", "x": EC_X, "y": EC_Y, "kid": "sig", "use": "sig"},
            {"kty": "EC", "crv": "P-256", "x": EC_X, "y": EC_Y, "kid": "enc", "use": "enc"},
            {"kty": "EC", "crv": "P-256", "x": EC_X, "y": EC_Y, "kid": "es384", "alg": "ES384"},
            {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
            {"kty": "weird", "kid": "unknown"}
        ]});
        let (keys, skipped) = from_jwks(&doc.to_string()).unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].kid.as_deref(), Some("sig"));
        assert_eq!(keys[0].algorithm, Algorithm::ES256);
        assert_eq!(skipped.len(), 4, "{skipped:?}");
        // From a file the operator chose, the same odd key is an error.
        assert!(from_file_text(&doc.to_string()).is_err());
        assert!(from_jwks("{\"nokeys\": 1}").is_err());
    }
}
