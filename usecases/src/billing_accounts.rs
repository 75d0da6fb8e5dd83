//! A purchaser's billing account, created on first use.

use crate::error::Error;
use crate::Actor;
use crate::Services;
use chrono::{DateTime, Utc};
use domain::BillingAccountId;
use persistence::repos::{billing_accounts, users};
use persistence::rows::BillingAccountRow;
use persistence::{write_transaction, DbConnection};

/// The caller's account, creating it when absent (inside the caller's transaction).
pub fn ensure(
    conn: &mut DbConnection,
    caller: &Actor,
    now: DateTime<Utc>,
) -> Result<BillingAccountRow, Error> {
    let (org, owner) = (caller.organization_id, caller.user_id);
    if let Some(account) = billing_accounts::find_for_owner(conn, org, owner)? {
        return Ok(account);
    }
    let name = users::find(conn, org, owner)?
        .map(|u| u.display_name)
        .unwrap_or_else(|| "Billing account".to_owned());
    billing_accounts::insert_if_absent(
        conn,
        &BillingAccountRow {
            id: BillingAccountId::new_random(),
            organization_id: org,
            owner_id: owner,
            name,
            created_at: now.naive_utc(),
        },
    )?;
    billing_accounts::find_for_owner(conn, org, owner)?
        .ok_or_else(|| Error::internal("billing account vanished"))
}

pub async fn mine(services: &Services, caller: &Actor) -> Result<BillingAccountRow, Error> {
    let caller = caller.clone();
    let now = services.clock.now();
    let (org, owner) = (caller.organization_id, caller.user_id);
    // Read first: creation (a write) happens once per purchaser.
    let existing = services
        .db
        .read(move |conn| Ok(billing_accounts::find_for_owner(conn, org, owner)?))
        .await?;
    match existing {
        Some(account) => Ok(account),
        None => {
            services
                .db
                .run(move |conn| write_transaction(conn, |conn| ensure(conn, &caller, now)))
                .await
        }
    }
}

pub async fn get(
    services: &Services,
    caller: &Actor,
    id: BillingAccountId,
) -> Result<BillingAccountRow, Error> {
    let account = mine(services, caller).await?;
    if account.id == id {
        Ok(account)
    } else {
        Err(Error::NotFound("billing account"))
    }
}
