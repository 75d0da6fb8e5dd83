//! Start-up: configuration → verifier, database, catalog → application state.
//! Every failure is one line naming the configuration key at fault.

use crate::auth::cache::TokenCache;
use crate::auth::JwtVerifier;
use crate::config::{ConfigError, Settings};
use crate::state::{AppState, Clock, Db, Deployment};
use persistence::{connect_pool, migrations};
use std::sync::Arc;

fn err(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.to_owned(),
        message: message.into(),
    }
}

/// Verified tokens kept in memory at most (each entry is a few hundred bytes).
const TOKEN_CACHE_CAPACITY: usize = 50_000;

/// RS256/ES256 keys when configured — a PEM/JWKS file, a JWKS endpoint, or
/// both together; otherwise the HS256 secret, generated into the data folder
/// on first use. With public keys configured no HS256 token is accepted, even
/// when `SELFSERVE_JWT_SECRET` is also set.
pub fn verifier(settings: &Settings) -> Result<JwtVerifier, ConfigError> {
    let jwks = match &settings.jwt.jwks_url {
        Some(url) => Some(
            crate::auth::jwks::JwksKeys::new(url)
                .map_err(|e| err("SELFSERVE_JWT_JWKS_URL", e.0))?,
        ),
        None => None,
    };
    if settings.jwt.public_keys.is_some() || jwks.is_some() {
        let keys = match &settings.jwt.public_keys {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| err("SELFSERVE_JWT_PUBLIC_KEYS", e.to_string()))?;
                crate::auth::keys::from_file_text(&text)
                    .map_err(|e| err("SELFSERVE_JWT_PUBLIC_KEYS", e.0))?
            }
            None => Vec::new(),
        };
        return Ok(JwtVerifier::public_keys(keys, jwks, &settings.jwt));
    }
    let secret = match &settings.jwt.secret {
        Some(secret) => secret.clone(),
        None => {
            let (secret, created) =
                crate::secrets::load_or_generate(&settings.data_dir, "jwt-secret").map_err(
                    |e| {
                        err(
                            "SELFSERVE_JWT_SECRET",
                            format!(
                                "unset, and no secret could be kept in {}: {e}",
                                settings.data_dir.display()
                            ),
                        )
                    },
                )?;
            if created {
                eprintln!(
                    "selfserve: generated a local HS256 secret in {} (set SELFSERVE_JWT_SECRET to choose one): {secret}",
                    settings.data_dir.join("jwt-secret").display()
                );
            }
            secret
        }
    };
    Ok(JwtVerifier::hs256(&secret, &settings.jwt))
}

/// Opens the pool and applies pending migrations.
pub fn database(settings: &Settings) -> Result<Db, ConfigError> {
    let pool = connect_pool(&settings.database, &settings.pool)
        .map_err(|e| err("DATABASE_URL", e.to_string()))?;
    let mut conn = pool
        .get()
        .map_err(|e| err("DATABASE_URL", format!("cannot connect: {e}")))?;
    migrations::run_pending(&mut conn).map_err(|e| err("DATABASE_URL", e.to_string()))?;
    drop(conn);
    Ok(Db::new(pool, settings.database.backend()))
}

pub fn state(settings: &Settings, clock: Clock) -> Result<AppState, ConfigError> {
    let catalog =
        crate::catalog_file::load(&settings.catalog).map_err(|m| err("SELFSERVE_CATALOG", m))?;
    let db = database(settings)?;
    let verifier = verifier(settings)?;
    let fingerprint_key = match &settings.card_fingerprint_key {
        Some(key) => key.clone(),
        None => {
            crate::secrets::load_or_generate(&settings.data_dir, "card-fingerprint-key")
                .map_err(|e| {
                    err(
                        "SELFSERVE_CARD_FINGERPRINT_KEY",
                        format!(
                            "unset, and no key could be kept in {}: {e}",
                            settings.data_dir.display()
                        ),
                    )
                })?
                .0
        }
    };
    Ok(AppState {
        db,
        catalog: Arc::new(catalog),
        verifier: Arc::new(verifier),
        tokens: TokenCache::new(TOKEN_CACHE_CAPACITY),
        fingerprints: crate::fingerprint::Fingerprinter::new(&fingerprint_key),
        deployment: Deployment {
            cloud: settings.cloud,
            portal_url: settings.portal_url.clone(),
        },
        tax_rate_bps: settings.tax_rate_bps,
        clock,
    })
}
