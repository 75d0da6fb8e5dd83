//! Where values come from: the optional TOML file, then the environment over
//! it, merged with figment. Values stay text here; each group parses its own
//! keys so every error names the key it is about.

use super::{err, ConfigError, KEYS};
use figment::providers::{Format, Serialized, Toml};
use figment::value::Value;
use figment::{Figment, Profile};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;

/// Raw key/value pairs, before parsing. `Debug` lists the keys only: the
/// values include secrets.
#[derive(Default, Clone)]
pub struct Sources {
    values: BTreeMap<String, String>,
}

impl std::fmt::Debug for Sources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.values.keys()).finish()
    }
}

impl Sources {
    /// Reads the TOML file (optional unless `explicit`, i.e. named by
    /// `--config`), then lets the environment override it.
    pub fn load(file: &Path, explicit: bool) -> Result<Self, ConfigError> {
        Self::layered(file, explicit, |key| std::env::var_os(key))
    }

    /// `load` with the environment given, so tests need not change the process's.
    fn layered(
        file: &Path,
        explicit: bool,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Self, ConfigError> {
        let origin = file.display().to_string();
        let mut figment = Figment::new();
        match std::fs::read_to_string(file) {
            Ok(text) => {
                // figment reports a syntax error with toml's multi-line
                // snippet; checking here first gives one line for the log.
                if let Err(e) = text.parse::<toml::Table>() {
                    let message = e.message().trim().replace('\n', "; ");
                    return Err(err(&origin, format!("not valid TOML: {message}")));
                }
                figment = figment.merge(Toml::string(&text));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {}
            Err(e) => return Err(err("--config", format!("cannot read {origin}: {e}"))),
        }
        // Not figment's `Env`: it parses values ("0123…" becomes 123, quotes
        // are stripped), which would silently change a secret. Values here
        // are taken verbatim.
        let mut environment = BTreeMap::new();
        for key in KEYS {
            if let Some(value) = env(key) {
                let value = value
                    .into_string()
                    .map_err(|_| err(key, "is not valid UTF-8"))?;
                environment.insert(*key, value);
            }
        }
        figment = figment.merge(Serialized::from(environment, Profile::Default));

        let merged: BTreeMap<String, Value> =
            figment.extract().map_err(|e| err(&origin, e.to_string()))?;
        let mut values = BTreeMap::new();
        for (key, value) in merged {
            // Only the file can hold other keys: the environment is read for `KEYS` alone.
            if !KEYS.contains(&key.as_str()) {
                return Err(err(&key, format!("unknown key in {origin}")));
            }
            let text = match value {
                Value::String(_, s) => s,
                Value::Bool(_, b) => b.to_string(),
                Value::Num(_, n) => match (n.to_u128(), n.to_i128()) {
                    (Some(u), _) => u.to_string(),
                    (None, Some(i)) => i.to_string(),
                    (None, None) => return Err(err(&key, "must be a string or a number")),
                },
                _ => return Err(err(&key, "must be a string or a number")),
            };
            values.insert(key, text);
        }
        Ok(Sources { values })
    }

    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Sources {
            values: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// A value that is present and not blank.
    pub(super) fn get(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    pub(super) fn parse_number<T: std::str::FromStr>(
        &self,
        key: &str,
        default: T,
        valid: impl Fn(&T) -> bool,
    ) -> Result<T, ConfigError> {
        match self.get(key) {
            None => Ok(default),
            Some(raw) => raw
                .trim()
                .parse::<T>()
                .ok()
                .filter(|v| valid(v))
                .ok_or_else(|| err(key, format!("{raw:?} is not a valid number here"))),
        }
    }

    /// A setting of two words, `yes` for true and `no` for false (both
    /// given in lower case; the value is read in any case, spaces around
    /// ignored); `default` when unset.
    pub(super) fn parse_switch(
        &self,
        key: &str,
        default: bool,
        [yes, no]: [&str; 2],
    ) -> Result<bool, ConfigError> {
        let Some(raw) = self.get(key) else {
            return Ok(default);
        };
        match raw.trim().to_ascii_lowercase() {
            v if v == yes => Ok(true),
            v if v == no => Ok(false),
            _ => Err(err(key, format!("{raw:?} must be `{yes}` or `{no}`"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cloud, Settings};
    use super::*;
    use std::path::PathBuf;

    /// A TOML file in a fresh folder, removed with it when dropped.
    struct File {
        _dir: tempfile::TempDir,
        path: PathBuf,
    }

    fn file(text: &str) -> File {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("selfserve.toml");
        std::fs::write(&path, text).unwrap();
        File { _dir: dir, path }
    }

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn toml_file_uses_the_same_keys_and_refuses_unknown_ones() {
        let f = file("SELFSERVE_CLOUD = \"china\"\nSELFSERVE_DB_POOL_SIZE = 4\n");
        let s = Sources::layered(&f.path, true, env(&[])).unwrap();
        let settings = Settings::from_sources(&s).unwrap();
        assert_eq!(settings.cloud, Cloud::China);
        assert_eq!(settings.pool.max_size, 4);
        assert!(settings.portal_url.ends_with(".cn"));

        let f = file("SELFSERVE_BINDD = \"x\"");
        let e = Sources::layered(&f.path, true, env(&[])).unwrap_err();
        assert_eq!(e.key, "SELFSERVE_BINDD");
        assert_eq!(e.message, format!("unknown key in {}", f.path.display()));
        // A table is an unknown key too, not a way around the check.
        let f = file("[server]\nSELFSERVE_BIND = \"x\"");
        assert_eq!(
            Sources::layered(&f.path, true, env(&[])).unwrap_err().key,
            "server"
        );
    }

    #[test]
    fn the_environment_wins_over_the_file() {
        let f = file("SELFSERVE_CLOUD = \"china\"\nSELFSERVE_TAX_RATE_BPS = 100\n");
        let s = Sources::layered(&f.path, false, env(&[("SELFSERVE_CLOUD", "global")])).unwrap();
        let settings = Settings::from_sources(&s).unwrap();
        assert_eq!(settings.cloud, Cloud::Global);
        assert_eq!(settings.tax_rate_bps, 100);
    }

    #[test]
    fn environment_values_are_taken_verbatim() {
        // figment's `Env` would read these as the number 1 and as `quoted…`.
        let digits = "00000000000000000000000000000001";
        let quoted = "\"quoted-secret-quoted-secret-quoted\"";
        let s = Sources::layered(
            Path::new("/nonexistent/selfserve.toml"),
            false,
            env(&[
                ("SELFSERVE_JWT_SECRET", digits),
                ("SELFSERVE_CARD_FINGERPRINT_KEY", quoted),
            ]),
        )
        .unwrap();
        assert_eq!(s.get("SELFSERVE_JWT_SECRET"), Some(digits));
        assert_eq!(s.get("SELFSERVE_CARD_FINGERPRINT_KEY"), Some(quoted));
        assert!(!format!("{s:?}").contains(digits));
    }

    #[test]
    fn file_errors_are_one_line() {
        let missing = Path::new("/nonexistent/selfserve.toml");
        assert!(Sources::layered(missing, false, env(&[])).is_ok());
        let e = Sources::layered(missing, true, env(&[])).unwrap_err();
        assert_eq!(e.key, "--config");
        assert!(e
            .message
            .starts_with("cannot read /nonexistent/selfserve.toml: "));

        for (text, key) in [
            ("SELFSERVE_BIND = ", "selfserve.toml"),
            ("SELFSERVE_BIND = \n", "selfserve.toml"),
            ("SELFSERVE_BIND = \"x", "selfserve.toml"),
            ("SELFSERVE_BIND = [1]", "SELFSERVE_BIND"),
            ("SELFSERVE_TAX_RATE_BPS = 8.25", "SELFSERVE_TAX_RATE_BPS"),
        ] {
            let f = file(text);
            let e = Sources::layered(&f.path, true, env(&[])).unwrap_err();
            assert!(e.key.ends_with(key), "{text}: {e}");
            assert_eq!(e.to_string().lines().count(), 1, "{e}");
        }
        let f = file("SELFSERVE_BIND = [1]");
        let e = Sources::layered(&f.path, true, env(&[])).unwrap_err();
        assert_eq!(e.message, "must be a string or a number");
    }

    #[test]
    fn booleans_and_integers_in_the_file_become_text() {
        let f = file("SELFSERVE_WORKERS = 3\nSELFSERVE_JWT_ISSUER = true\n");
        let s = Sources::layered(&f.path, true, env(&[])).unwrap();
        assert_eq!(s.get("SELFSERVE_WORKERS"), Some("3"));
        assert_eq!(s.get("SELFSERVE_JWT_ISSUER"), Some("true"));
    }
}
