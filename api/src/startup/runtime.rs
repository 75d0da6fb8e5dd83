//! Start-up: configuration → verifier, database, catalog → application state.
//! Every failure is one line naming the configuration key at fault.

use crate::auth::cache::TokenCache;
use crate::auth::JwtVerifier;
use crate::config::{ConfigError, Settings};
use crate::read_cache::ReadCache;
use crate::representations::ApiRepresentations;
use crate::startup::state::{AppState, Deployment};
use domain::webhook::RetryPolicy;
use persistence::{connect_pool, migrations, ChangeWatch};
use secrecy::SecretString;
use std::sync::Arc;
use usecases::deliveries::Outbound;
use usecases::{Clock, Db, Outbox, Services};

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
        None => generated(settings, &JWT_SECRET)?,
    };
    Ok(JwtVerifier::hs256(&secret, &settings.jwt))
}

/// A secret kept in the data folder when its key is unset.
struct Generated {
    file: &'static str,
    key: &'static str,
    /// For the notice: "generated {what} in …".
    what: &'static str,
    /// For the error: "no {noun} could be kept in …".
    noun: &'static str,
}

const JWT_SECRET: Generated = Generated {
    file: "jwt-secret",
    key: "SELFSERVE_JWT_SECRET",
    what: "a local HS256 secret",
    noun: "secret",
};

const CARD_FINGERPRINT_KEY: Generated = Generated {
    file: "card-fingerprint-key",
    key: "SELFSERVE_CARD_FINGERPRINT_KEY",
    what: "a card fingerprint key",
    noun: "key",
};

/// Reads the secret from the data folder, generating it on first use. The
/// notice names the file and a fingerprint, never the value: stderr ends up
/// in logs.
fn generated(settings: &Settings, g: &Generated) -> Result<SecretString, ConfigError> {
    let dir = &settings.data_dir;
    let (secret, created) =
        crate::startup::secrets::load_or_generate(dir, g.file).map_err(|e| {
            err(
                g.key,
                format!(
                    "unset, and no {} could be kept in {}: {e}",
                    g.noun,
                    dir.display()
                ),
            )
        })?;
    if created {
        eprintln!(
            "{}",
            crate::startup::secrets::generated_notice(g.what, dir, g.file, g.key, &secret)
        );
    }
    Ok(secret)
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
    Ok(Db::new(pool, &settings.database))
}

/// The outbox every change records its event through: its `data` is made by
/// the API's own representations.
pub fn outbox(catalog: Arc<domain::catalog::Catalog>) -> Outbox {
    Outbox::new(Arc::new(ApiRepresentations), catalog)
}

/// The webhook transport and its rules (SSRF, retries), and the SMTP sender
/// when one is configured.
fn outbound(settings: &Settings, catalog: Arc<domain::catalog::Catalog>) -> Outbound {
    let allow_private = settings.webhooks.allow_private;
    let transport = crate::outbound::HttpTransport::new(allow_private);
    Outbound {
        allow_private,
        retry: RetryPolicy::new(i64::from(settings.webhooks.retry_base_secs)),
        transport: Arc::new(transport),
        mail: crate::mail::Mailer::from_settings(&settings.mail).map(|mailer| {
            Arc::new(crate::mail::SmtpSender::new(mailer, catalog))
                as Arc<dyn usecases::deliveries::MailSender>
        }),
    }
}

pub fn state(settings: &Settings, clock: Clock) -> Result<AppState, ConfigError> {
    let catalog = crate::startup::catalog_file::load(&settings.catalog)
        .map_err(|m| err("SELFSERVE_CATALOG", m))?;
    let db = database(settings)?;
    let verifier = verifier(settings)?;
    let fingerprint_key = match &settings.card_fingerprint_key {
        Some(key) => key.clone(),
        None => generated(settings, &CARD_FINGERPRINT_KEY)?,
    };
    let catalog = Arc::new(catalog);
    let outbox = outbox(catalog.clone());
    let outbound = outbound(settings, catalog.clone());
    Ok(AppState {
        services: Services {
            db,
            catalog,
            outbox,
            clock,
            tax_rate_bps: settings.tax_rate_bps,
            fingerprints: usecases::fingerprint::Fingerprinter::new(&fingerprint_key),
            outbound,
        },
        verifier: Arc::new(verifier),
        tokens: TokenCache::new(TOKEN_CACHE_CAPACITY),
        reads: ReadCache::new(if settings.read_cache {
            ChangeWatch::open(&settings.database).map_err(|e| err("DATABASE_URL", e.to_string()))?
        } else {
            ChangeWatch::blind()
        }),
        deployment: Deployment {
            cloud: settings.cloud,
            portal_url: settings.portal_url.clone(),
        },
    })
}
