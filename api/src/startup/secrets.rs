//! Secrets generated once into the data folder when not configured, so a
//! local install works with no set-up and keeps working across restarts.
//! They stay `SecretString`s: what the service says about one is where it is
//! kept and a short fingerprint, never the value.

use rand::RngCore;
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;

/// Reads `name` from `dir`, or creates it with 32 random bytes (hex) readable by the owner only.
/// Returns the secret and whether it was just generated.
pub fn load_or_generate(dir: &Path, name: &str) -> std::io::Result<(SecretString, bool)> {
    let path = dir.join(name);
    match std::fs::read_to_string(&path).map(Zeroizing::new) {
        Ok(existing) if existing.trim().len() >= 32 => {
            return Ok((SecretString::from(existing.trim()), false))
        }
        Ok(_) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{} holds fewer than 32 characters", path.display()),
            ))
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        Err(_) => {}
    }
    std::fs::create_dir_all(dir)?;
    let bytes = SecretBox::<[u8; 32]>::init_with_mut(|bytes| rand::rngs::OsRng.fill_bytes(bytes));
    let secret = SecretString::from(hex::encode(bytes.expose_secret()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(&path) {
        Ok(mut file) => {
            file.write_all(secret.expose_secret().as_bytes())?;
            file.sync_all()?;
            Ok((secret, true))
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_generate(dir, name),
        Err(e) => Err(e),
    }
}

/// Names a secret without revealing it: the first 8 hex digits of its
/// SHA-256, enough to tell two secrets apart (e.g. whether the server and
/// `selfserve token` read the same one), far too few to recover anything.
pub fn fingerprint(secret: &SecretString) -> String {
    let digest = Sha256::digest(secret.expose_secret().as_bytes());
    format!("sha256:{}", &hex::encode(digest)[..8])
}

/// The line printed when a secret was just generated into `dir`.
pub fn generated_notice(
    what: &str,
    dir: &Path,
    name: &str,
    key: &str,
    secret: &SecretString,
) -> String {
    format!(
        "selfserve: generated {what} in {} (set {key} to choose one; {} chars, {})",
        dir.join(name).display(),
        secret.expose_secret().len(),
        fingerprint(secret)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let (first, created) = load_or_generate(dir.path(), "jwt-secret").unwrap();
        assert!(created);
        assert_eq!(first.expose_secret().len(), 64);
        let (second, created) = load_or_generate(dir.path(), "jwt-secret").unwrap();
        assert!(!created);
        assert_eq!(first.expose_secret(), second.expose_secret());
        let on_disk = std::fs::read_to_string(dir.path().join("jwt-secret")).unwrap();
        assert_eq!(on_disk, first.expose_secret());
    }

    #[test]
    fn a_short_secret_on_disk_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("jwt-secret"), "short\n").unwrap();
        let e = load_or_generate(dir.path(), "jwt-secret").unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
    }

    #[test]
    fn the_notice_names_the_file_but_not_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let (secret, _) = load_or_generate(dir.path(), "jwt-secret").unwrap();
        let notice = generated_notice(
            "a local HS256 secret",
            dir.path(),
            "jwt-secret",
            "SELFSERVE_JWT_SECRET",
            &secret,
        );
        assert!(notice.contains(&dir.path().join("jwt-secret").display().to_string()));
        assert!(notice.contains("SELFSERVE_JWT_SECRET"));
        assert!(notice.contains(&fingerprint(&secret)));
        let value = secret.expose_secret();
        // Not the secret, nor any 9 characters of it in a row.
        for window in value.as_bytes().windows(9) {
            let piece = std::str::from_utf8(window).unwrap();
            assert!(!notice.contains(piece), "{notice} shows {piece}");
        }
        assert!(!format!("{secret:?}").contains(value));
    }

    #[test]
    fn fingerprints_tell_secrets_apart() {
        let a = SecretString::from("a".repeat(32));
        let b = SecretString::from("b".repeat(32));
        assert_ne!(fingerprint(&a), fingerprint(&b));
        assert_eq!(fingerprint(&a), fingerprint(&a.clone()));
        assert_eq!(fingerprint(&a).len(), "sha256:".len() + 8);
    }
}
