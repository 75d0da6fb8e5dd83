//! An organisation's webhook endpoints, managed by its admins.

use crate::audit::{self, Change};
use crate::error::{Error, Invalid};
use crate::page::Page;
use crate::{Actor, Services};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use domain::audit::AuditAction;
use domain::ids::WebhookEndpointId;
use domain::text::{self, Lines};
use domain::webhook::secrets::SECRET_PREFIX;
use domain::webhook::url::check_addresses;
use domain::webhook::{EventSelection, SigningSecrets, WebhookUrl};
use persistence::repos::webhook_endpoints as repo;
use persistence::rows::{WebhookEndpointChanges, WebhookEndpointRow};
use persistence::DbConnection;
use rand::RngCore;

pub const MAX_DESCRIPTION: usize = 500;

/// An endpoint as admins see it: never its secrets.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub id: WebhookEndpointId,
    pub url: String,
    pub description: Option<String>,
    pub events: EventSelection,
    pub enabled: bool,
    /// `Some("failing")` when the service switched it off.
    pub disabled_reason: Option<String>,
    /// Until when the previous secret still signs, after a rotation.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An endpoint with its new secret: the answer to create and rotate, the
/// only times the secret is shown.
#[derive(Debug, Clone)]
pub struct WithSecret {
    pub endpoint: Endpoint,
    pub secret: String,
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    Utc.from_utc_datetime(&t)
}

impl From<&WebhookEndpointRow> for Endpoint {
    fn from(row: &WebhookEndpointRow) -> Self {
        Self {
            id: row.id,
            url: row.url.clone(),
            description: row.description.clone(),
            events: row.events.clone(),
            enabled: row.enabled,
            disabled_reason: row.disabled_reason.clone(),
            previous_secret_expires_at: row.previous_secret_expires_at.map(utc),
            failing_since: row.failing_since.map(utc),
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewEndpoint {
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
}

/// A partial change: `None` leaves a field; `description: Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub enabled: Option<bool>,
    pub description: Option<Option<String>>,
}

/// `whsec_` and 32 random bytes in hex.
fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", hex::encode(bytes))
}

/// The URL's shape, then (unless private targets are allowed) every address
/// its host resolves to. A name that does not resolve (yet) is accepted:
/// nothing private is reached through it, and every send checks the
/// addresses it connects to anyway.
async fn checked_url(services: &Services, raw: &str) -> Result<WebhookUrl, Error> {
    let out = &services.outbound;
    let url = WebhookUrl::parse(raw, out.allow_private).map_err(Invalid::WebhookUrl)?;
    if !out.allow_private && url.literal_ip().is_none() {
        if let Ok(addresses) = out.transport.resolve(&url.host(), url.port()).await {
            check_addresses(&addresses, false).map_err(Invalid::WebhookUrl)?;
        }
    }
    Ok(url)
}

fn selection(events: &[String]) -> Result<EventSelection, Error> {
    EventSelection::parse(events).map_err(|e| Error::invalid_field("events", e))
}

fn description(raw: Option<String>) -> Result<Option<String>, Error> {
    let Some(raw) = raw else { return Ok(None) };
    if raw.chars().count() > MAX_DESCRIPTION {
        return Err(Error::invalid_field(
            "description",
            format!("description must be at most {MAX_DESCRIPTION} characters"),
        ));
    }
    if raw.trim().is_empty() {
        return Err(Error::invalid_field(
            "description",
            "description must contain visible characters; leave it out (or null) for none",
        ));
    }
    text::check(&raw, Lines::Single)
        .map_err(|p| Error::invalid_field("description", format!("description {}", p.message())))?;
    Ok(Some(raw))
}

fn not_found() -> Error {
    Error::NotFound("webhook endpoint")
}

pub(crate) fn load(
    conn: &mut DbConnection,
    caller: &Actor,
    id: WebhookEndpointId,
) -> Result<WebhookEndpointRow, Error> {
    repo::find(conn, caller.organization_id, id)?.ok_or_else(not_found)
}

fn record(
    conn: &mut DbConnection,
    caller: &Actor,
    action: AuditAction,
    endpoint: &Endpoint,
    at: DateTime<Utc>,
) -> Result<(), Error> {
    audit::record(
        conn,
        Change {
            action,
            target_type: "webhook_endpoint",
            target_id: endpoint.id.to_string(),
            subscription_id: None,
            before: None,
            after: Some(serde_json::json!({
                "url": endpoint.url,
                "events": endpoint.events.names(),
                "enabled": endpoint.enabled,
            })),
            caller,
            at,
        },
    )
}

/// A new endpoint checked and ready to store (its URL resolved, its secret made).
pub struct Prepared {
    url: WebhookUrl,
    events: EventSelection,
    description: Option<String>,
    secret: String,
}

/// Everything before the write: admin, URL (resolved unless private targets
/// are allowed), events, description, a fresh secret.
pub async fn prepare(
    services: &Services,
    caller: &Actor,
    new: NewEndpoint,
) -> Result<Prepared, Error> {
    caller.require_admin()?;
    Ok(Prepared {
        url: checked_url(services, &new.url).await?,
        events: selection(&new.events)?,
        description: description(new.description)?,
        secret: new_secret(),
    })
}

/// Stores a prepared endpoint, in the caller's write transaction (the API
/// runs it under `Idempotency-Key`: a replay answers the same creation).
pub fn create_in(
    conn: &mut DbConnection,
    caller: &Actor,
    new: Prepared,
    now: DateTime<Utc>,
) -> Result<WithSecret, Error> {
    let row = WebhookEndpointRow::new(
        caller.organization_id,
        new.url.as_str().to_owned(),
        new.events,
        new.description,
        new.secret.clone(),
        now.naive_utc(),
    );
    repo::insert(conn, &row)?;
    let endpoint = Endpoint::from(&row);
    record(
        conn,
        caller,
        AuditAction::WebhookEndpointCreated,
        &endpoint,
        now,
    )?;
    Ok(WithSecret {
        endpoint,
        secret: new.secret,
    })
}

pub async fn list(
    services: &Services,
    caller: &Actor,
    page: Page<(NaiveDateTime, String)>,
) -> Result<(Vec<Endpoint>, Option<String>), Error> {
    caller.require_admin()?;
    let org = caller.organization_id;
    let (rows, next) = crate::paging::read(
        services,
        page,
        move |conn, before, limit| Ok(repo::list(conn, org, before, limit)?),
        |r: &WebhookEndpointRow| (r.created_at, r.id.to_string()),
    )
    .await?;
    Ok((rows.iter().map(Endpoint::from).collect(), next))
}

pub async fn get(
    services: &Services,
    caller: &Actor,
    id: WebhookEndpointId,
) -> Result<Endpoint, Error> {
    caller.require_admin()?;
    let caller = caller.clone();
    services
        .db
        .read(move |conn| Ok(Endpoint::from(&load(conn, &caller, id)?)))
        .await
}

pub async fn update(
    services: &Services,
    caller: &Actor,
    id: WebhookEndpointId,
    patch: EndpointPatch,
) -> Result<Endpoint, Error> {
    caller.require_admin()?;
    let url = match &patch.url {
        Some(raw) => Some(checked_url(services, raw).await?),
        None => None,
    };
    let events = patch.events.as_deref().map(selection).transpose()?;
    let description = patch.description.map(description).transpose()?;
    services
        .write(caller, move |conn, caller, now| {
            load(conn, caller, id)?;
            // Turning an endpoint on (again) starts its health afresh.
            let reenable = patch.enabled == Some(true);
            let changes = WebhookEndpointChanges {
                url: url.map(|u| u.as_str().to_owned()),
                description,
                events: events.map(String::from),
                enabled: patch.enabled,
                disabled_reason: patch.enabled.map(|_| None),
                failing_since: reenable.then_some(None),
                updated_at: Some(now.naive_utc()),
            };
            repo::update(conn, caller.organization_id, id, &changes)?;
            let endpoint = Endpoint::from(&load(conn, caller, id)?);
            record(
                conn,
                caller,
                AuditAction::WebhookEndpointUpdated,
                &endpoint,
                now,
            )?;
            Ok(endpoint)
        })
        .await
}

/// Deletes the endpoint; its pending deliveries go with it.
pub async fn delete(
    services: &Services,
    caller: &Actor,
    id: WebhookEndpointId,
) -> Result<(), Error> {
    caller.require_admin()?;
    services
        .write(caller, move |conn, caller, now| {
            let endpoint = Endpoint::from(&load(conn, caller, id)?);
            repo::delete(conn, caller.organization_id, id)?;
            record(
                conn,
                caller,
                AuditAction::WebhookEndpointDeleted,
                &endpoint,
                now,
            )
        })
        .await
}

/// A new secret, shown once; the old one keeps signing for 24 hours.
pub async fn rotate_secret(
    services: &Services,
    caller: &Actor,
    id: WebhookEndpointId,
) -> Result<WithSecret, Error> {
    caller.require_admin()?;
    let fresh = new_secret();
    services
        .write(caller, move |conn, caller, now| {
            let row = load(conn, caller, id)?;
            let secrets: SigningSecrets = row.secrets().rotate(fresh.clone(), now);
            repo::set_secrets(conn, id, &secrets, now.naive_utc())?;
            let endpoint = Endpoint::from(&load(conn, caller, id)?);
            record(
                conn,
                caller,
                AuditAction::WebhookSecretRotated,
                &endpoint,
                now,
            )?;
            Ok(WithSecret {
                endpoint,
                secret: fresh,
            })
        })
        .await
}
