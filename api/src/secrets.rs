//! Secrets generated once into the data folder when not configured, so a
//! local install works with no set-up and keeps working across restarts.

use rand::RngCore;
use std::io::Write;
use std::path::Path;

/// Reads `name` from `dir`, or creates it with 32 random bytes (hex) readable by the owner only.
/// Returns the secret and whether it was just generated.
pub fn load_or_generate(dir: &Path, name: &str) -> std::io::Result<(String, bool)> {
    let path = dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(existing) if existing.trim().len() >= 32 => {
            return Ok((existing.trim().to_owned(), false))
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
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(&path) {
        Ok(mut file) => {
            file.write_all(secret.as_bytes())?;
            file.sync_all()?;
            Ok((secret, true))
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_generate(dir, name),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_then_reused() {
        let dir = std::env::temp_dir().join(format!("selfserve-secret-{}", uuid::Uuid::new_v4()));
        let (first, created) = load_or_generate(&dir, "jwt-secret").unwrap();
        assert!(created);
        assert_eq!(first.len(), 64);
        let (second, created) = load_or_generate(&dir, "jwt-secret").unwrap();
        assert!(!created);
        assert_eq!(first, second);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
