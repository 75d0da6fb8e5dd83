//! Keyed hashes (HMAC-SHA256 under `SELFSERVE_CARD_FINGERPRINT_KEY`): card
//! fingerprints that spot duplicates, and idempotency request hashes. Without
//! the key neither can be brute-forced back to a card number.

use domain::card::CardNumber;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The key is zeroed on drop and never printed (`SecretSlice`).
pub struct Fingerprinter {
    key: SecretSlice<u8>,
}

impl Fingerprinter {
    pub fn new(key: &SecretString) -> Self {
        Self {
            key: SecretSlice::from(key.expose_secret().as_bytes().to_vec()),
        }
    }

    fn mac(&self, domain: &[u8], parts: &[&[u8]]) -> String {
        // `new_from_slice` accepts keys of any length for HMAC.
        let Ok(mut mac) = HmacSha256::new_from_slice(self.key.expose_secret()) else {
            return String::new();
        };
        mac.update(domain);
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        hex::encode(mac.finalize().into_bytes())
    }

    pub fn card(&self, number: &CardNumber) -> String {
        self.mac(b"card:v1", &[number.digits_for_fingerprint()])
    }

    /// Method, path and the canonical form of the JSON body.
    pub fn request(&self, method: &str, path: &str, canonical_body: &[u8]) -> String {
        self.mac(
            b"request:v1",
            &[method.as_bytes(), path.as_bytes(), canonical_body],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_depend_on_key_and_number_only() {
        let a = Fingerprinter::new(&"key-one-key-one-key-one-key-one-00".into());
        let b = Fingerprinter::new(&"key-two-key-two-key-two-key-two-00".into());
        let n1 = CardNumber::parse("4242 4242 4242 4242").unwrap();
        let n2 = CardNumber::parse("4242424242424242").unwrap();
        assert_eq!(a.card(&n1), a.card(&n2));
        assert_ne!(a.card(&n1), b.card(&n1));
        assert!(!a.card(&n1).contains("4242424242424242"));
        assert_ne!(
            a.request("POST", "/x", b"{}"),
            a.request("POST", "/y", b"{}")
        );
    }
}
