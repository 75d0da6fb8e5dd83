//! Subscriptions: who may see and change them, and how a stored row becomes
//! the domain values decisions are made on.

pub mod billing_run;
pub mod cancel;
pub mod change;
pub mod events;
pub mod grow;
pub mod invoicing;
pub mod lifecycle;
pub mod purchase;
pub mod quote;
pub mod reactivate;

use crate::error::{Conflict, Error, Forbidden, Precondition};
use crate::page::Page;
use crate::Actor;
use crate::Services;
use chrono::{NaiveDate, NaiveDateTime};
use domain::billing::BillingPeriod;
use domain::catalog::BillingFrequency;
use domain::governance::{subscription_access, Access};
use domain::license::LicenseCount;
use domain::subscription::{trial_expired, SubscriptionSource, SubscriptionStatus};
use domain::{Currency, Money};
use domain::{SubscriptionId, UserId};
use persistence::repos::{subscriptions as repo, users};
use persistence::rows::SubscriptionRow;
use persistence::DbConnection;
use std::collections::HashMap;

/// A stored subscription, parsed into domain values.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub row: SubscriptionRow,
    pub source: SubscriptionSource,
    /// As of today: a trial past its end reads as expired even before the billing run records it.
    pub status: SubscriptionStatus,
    pub licenses: LicenseCount,
    pub frequency: Option<BillingFrequency>,
    pub unit_price: Option<Money>,
    pub period: Option<BillingPeriod>,
}

impl Loaded {
    pub fn parse(row: SubscriptionRow, today: NaiveDate) -> Result<Self, Error> {
        let corrupt = |what: &str| {
            Error::internal(format!("subscription {}: stored {what} is invalid", row.id))
        };
        let status = match (row.status, row.trial_ends_on) {
            (SubscriptionStatus::Trial, Some(ends)) if trial_expired(ends, today) => {
                SubscriptionStatus::Expired
            }
            (s, _) => s,
        };
        let source: SubscriptionSource = row.source.parse().map_err(|_| corrupt("source"))?;
        let licenses = LicenseCount::parse(row.license_count, u32::MAX)
            .map_err(|_| corrupt("license count"))?;
        let frequency = row
            .billing_frequency
            .as_deref()
            .map(|f| {
                f.parse::<BillingFrequency>()
                    .map_err(|_| corrupt("frequency"))
            })
            .transpose()?;
        let currency = Currency::parse(&row.currency).map_err(|_| corrupt("currency"))?;
        let unit_price = row.unit_price.map(|p| Money::new(p, currency));
        let period = match (
            row.current_period_start,
            row.current_period_end,
            row.period_anchor_day,
        ) {
            (Some(start), Some(end), Some(anchor)) => Some(
                BillingPeriod::from_parts(
                    start,
                    end,
                    u32::try_from(anchor).map_err(|_| corrupt("anchor"))?,
                )
                .map_err(|_| corrupt("period"))?,
            ),
            _ => None,
        };
        Ok(Self {
            row,
            source,
            status,
            licenses,
            frequency,
            unit_price,
            period,
        })
    }

    pub fn require_live(&self) -> Result<(), Error> {
        match self.status {
            SubscriptionStatus::Trial | SubscriptionStatus::Active => Ok(()),
            SubscriptionStatus::Canceled => Err(Error::from(Conflict::AlreadyCanceled)),
            SubscriptionStatus::Deleted => Err(Error::from(Conflict::SubscriptionDeleted)),
            SubscriptionStatus::Expired | SubscriptionStatus::Disabled => {
                Err(Error::from(Conflict::SubscriptionNotActive {
                    status: self.status.as_str().to_owned(),
                }))
            }
        }
    }

    /// A paid subscription (bought, or a converted trial) rather than a trial.
    pub fn is_paid(&self) -> bool {
        self.unit_price.is_some()
    }

    /// Whether its licenses are held and usable: live, or a paid one in its
    /// grace (`expired`, PRODUCT.md §8).
    pub fn holds_licenses(&self) -> bool {
        domain::subscription::lifecycle::holds_licenses(self.status, self.is_paid())
    }

    /// Assigned licenses as they count today: none once canceled, disabled
    /// (suspended), deleted, or an ended trial.
    pub fn assigned(&self) -> i64 {
        if self.holds_licenses() {
            self.row.assigned_count
        } else {
            0
        }
    }
}

/// The organisation's subscription `id`, or "not found".
fn find(
    conn: &mut DbConnection,
    caller: &Actor,
    id: SubscriptionId,
) -> Result<SubscriptionRow, Error> {
    repo::find(conn, caller.organization_id, id)?.ok_or(Error::NotFound("subscription"))
}

/// What `caller` may do with a stored subscription: the one access rule
/// (`domain::governance::subscription_access`) every use case goes through.
pub fn access(caller: &Actor, row: &SubscriptionRow) -> Result<Access, Error> {
    let purchaser = row.purchaser_id;
    let source: SubscriptionSource = row.source.parse().map_err(|_| {
        Error::internal(format!("subscription {}: stored source is invalid", row.id))
    })?;
    Ok(subscription_access(caller.viewer(), purchaser, source))
}

/// Read access: whoever may manage it, and admins reading a member's purchase.
/// Anyone else gets 404, as if it did not exist.
pub fn load_visible(
    conn: &mut DbConnection,
    caller: &Actor,
    id: SubscriptionId,
    today: NaiveDate,
) -> Result<Loaded, Error> {
    visible(caller, find(conn, caller, id)?, today)
}

/// The read access rule of [`load_visible`] on a row already read.
fn visible(caller: &Actor, row: SubscriptionRow, today: NaiveDate) -> Result<Loaded, Error> {
    if !access(caller, &row)?.can_read() {
        return Err(Error::NotFound("subscription"));
    }
    Loaded::parse(row, today)
}

/// Write access: the purchaser of a self-service purchase, any admin of an
/// organisation subscription. An admin on a member's purchase gets 403
/// `admin_read_only`; anyone else 404, as if it did not exist.
pub fn load_owned(
    conn: &mut DbConnection,
    caller: &Actor,
    id: SubscriptionId,
    today: NaiveDate,
) -> Result<Loaded, Error> {
    owned(caller, find(conn, caller, id)?, today)
}

/// The write access rule of [`load_owned`] on a row already read.
pub(crate) fn owned(
    caller: &Actor,
    row: SubscriptionRow,
    today: NaiveDate,
) -> Result<Loaded, Error> {
    match access(caller, &row)? {
        Access::Manage => Loaded::parse(row, today),
        Access::ReadOnly => Err(Error::from(Forbidden::AdminReadOnly)),
        Access::Hidden => Err(Error::NotFound("subscription")),
    }
}

/// The strong ETag of a subscription version.
pub fn etag(row: &SubscriptionRow) -> String {
    version_etag(row.version)
}

/// The one spelling of a version as a strong ETag, for answers that know the
/// version without the row (assignments).
pub fn version_etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// A lost race on the version: 412 with the version that won, read now.
pub fn stale(conn: &mut DbConnection, caller: &Actor, id: SubscriptionId) -> Error {
    match repo::find(conn, caller.organization_id, id) {
        Ok(Some(row)) => Error::from(Precondition::Failed {
            etag: Some(etag(&row)),
        }),
        _ => Precondition::Failed { etag: None }.into(),
    }
}

/// If-Match against the loaded version: `*` or the exact ETag.
pub fn check_if_match(
    loaded: &Loaded,
    if_match: Option<&str>,
    required: bool,
) -> Result<(), Error> {
    match if_match {
        None if required => Err(Error::from(Precondition::Required)),
        None => Ok(()),
        Some(value) => {
            let current = etag(&loaded.row);
            let matches = value
                .split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || tag == current);
            if matches {
                Ok(())
            } else {
                Err(Error::from(Precondition::Failed {
                    etag: Some(current),
                }))
            }
        }
    }
}

/// A subscription with the names its representation shows.
pub struct View {
    pub loaded: Loaded,
    pub product_name: String,
    pub purchaser_name: String,
}

/// What a subscription change needs besides the connection.
pub struct Context {
    pub catalog: std::sync::Arc<domain::catalog::Catalog>,
    pub outbox: crate::Outbox,
    pub tax_rate_bps: u32,
    pub now: chrono::DateTime<chrono::Utc>,
}

/// Runs one change in a write transaction and answers with the changed subscription.
pub async fn write<F>(services: &Services, change: F) -> Result<View, Error>
where
    F: FnOnce(&mut DbConnection, &Context) -> Result<Loaded, Error> + Send + 'static,
{
    let names = Names::from(services);
    let context = Context {
        catalog: services.catalog.clone(),
        outbox: services.outbox.clone(),
        tax_rate_bps: services.tax_rate_bps,
        now: services.clock.now(),
    };
    services
        .db
        .run(move |conn| {
            persistence::write_transaction(conn, |conn| {
                let loaded = change(conn, &context)?;
                names.view(conn, loaded)
            })
        })
        .await
}

pub async fn get(services: &Services, caller: &Actor, id: SubscriptionId) -> Result<View, Error> {
    let today = services.clock.now().date_naive();
    let caller = caller.clone();
    let names = Names::from(services);
    services
        .db
        .read(move |conn| {
            // One query: the row and its purchaser's name.
            let (row, purchaser) = repo::find_named(conn, caller.organization_id, id)?
                .ok_or(Error::NotFound("subscription"))?;
            Ok(names.named(visible(&caller, row, today)?, purchaser))
        })
        .await
}

pub async fn list(
    services: &Services,
    caller: &Actor,
    mut filter: repo::Filter,
    managed_only: bool,
    page: Page<(NaiveDateTime, String)>,
) -> Result<(Vec<View>, Option<String>), Error> {
    let today = services.clock.now().date_naive();
    if managed_only {
        filter.managed_by = Some(repo::Manager {
            user_id: caller.user_id,
            is_admin: caller.is_admin(),
        });
    }
    let org = caller.organization_id;
    let (limit, before) = (page.fetch_limit(), page.after.clone());
    let names = Names::from(services);
    let (rows, next) = services
        .db
        .read(move |conn| {
            let rows = repo::list_named(conn, org, &filter, before, limit)?;
            let (rows, next) = page.finish(rows, |(r, _)| (r.created_at, r.id.to_string()));
            let views = rows
                .into_iter()
                .map(|(r, purchaser)| Ok(names.named(Loaded::parse(r, today)?, purchaser)))
                .collect::<Result<Vec<_>, Error>>()?;
            Ok((views, next))
        })
        .await?;
    Ok((rows, next))
}

/// Names products (from the catalog) and purchasers (from the directory) for views;
/// cheap to clone into a blocking closure.
#[derive(Clone)]
pub struct Names {
    catalog: std::sync::Arc<domain::catalog::Catalog>,
}

impl From<&Services> for Names {
    fn from(services: &Services) -> Self {
        Self::new(services.catalog.clone())
    }
}

impl Names {
    pub fn new(catalog: std::sync::Arc<domain::catalog::Catalog>) -> Self {
        Self { catalog }
    }

    pub fn view(&self, conn: &mut DbConnection, loaded: Loaded) -> Result<View, Error> {
        let mut v = self.views(conn, vec![loaded])?;
        v.pop().ok_or_else(|| Error::internal("view lost"))
    }

    pub fn views(&self, conn: &mut DbConnection, loaded: Vec<Loaded>) -> Result<Vec<View>, Error> {
        let mut names: HashMap<UserId, String> = HashMap::new();
        for l in &loaded {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(l.row.purchaser_id)
            {
                let name = users::find(conn, l.row.organization_id, l.row.purchaser_id)?
                    .map(|u| u.display_name)
                    .unwrap_or_default();
                slot.insert(name);
            }
        }
        Ok(loaded
            .into_iter()
            .map(|l| {
                let purchaser = names.get(&l.row.purchaser_id).cloned();
                self.named(l, purchaser)
            })
            .collect())
    }

    /// The view of a subscription whose purchaser's name was read with it
    /// (`None`: the member is gone, shown with an empty name).
    pub fn named(&self, loaded: Loaded, purchaser_name: Option<String>) -> View {
        let product_name = self
            .catalog
            .get(loaded.row.product_id)
            .map(|p| p.name().to_owned())
            .unwrap_or_else(|| "Unknown product".to_owned());
        View {
            loaded,
            product_name,
            purchaser_name: purchaser_name.unwrap_or_default(),
        }
    }
}
