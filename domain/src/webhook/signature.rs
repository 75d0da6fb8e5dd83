//! The `Selfserve-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256>`
//! of `"<t>.<raw body>"`, keyed with the secret string's UTF-8 bytes; one
//! `v1=` per active secret, so receivers keep verifying across a rotation.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes keys of any length: `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// The whole header value, the current secret's signature first.
pub fn signature_header(timestamp: i64, body: &[u8], secrets: &[&str]) -> String {
    let mut header = format!("t={timestamp}");
    for secret in secrets {
        header.push_str(",v1=");
        header.push_str(&sign(secret, timestamp, body));
    }
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_primitive_matches_rfc_4231() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
        // is the signature of body "do ya want for nothing?" at t = "what".
        // Timestamps are integers, so check the MAC itself against the vector.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn signs_timestamp_dot_body() {
        let body = br#"{"id":"e1"}"#;
        let expected = {
            let mut mac = Hmac::<Sha256>::new_from_slice(b"whsec_abc").unwrap();
            mac.update(b"1700000000.{\"id\":\"e1\"}");
            hex::encode(mac.finalize().into_bytes())
        };
        assert_eq!(sign("whsec_abc", 1_700_000_000, body), expected);
        assert_eq!(expected.len(), 64);
    }

    #[test]
    fn one_v1_per_active_secret_current_first() {
        let body = b"{}";
        let header = signature_header(42, body, &["new", "old"]);
        assert_eq!(
            header,
            format!(
                "t=42,v1={},v1={}",
                sign("new", 42, body),
                sign("old", 42, body)
            )
        );
        assert_eq!(
            signature_header(42, body, &["only"]).matches("v1=").count(),
            1
        );
    }
}
