//! The catalog as this organisation sees it, and its self-service policy.

use super::audit::{self, Change};
use crate::error::Error;
use crate::page::Page;
use crate::Actor;
use crate::Services;
use domain::audit::AuditAction;
use domain::catalog::Product;
use domain::policy::SelfServicePolicy;
use domain::ProductId;
use persistence::repos::policies;
use persistence::rows::PolicyRow;
use std::collections::HashMap;

/// Products in catalog order with their policy; the cursor is a catalog position.
pub async fn list(
    services: &Services,
    caller: &Actor,
    page: Page<usize>,
) -> Result<(Vec<(Product, SelfServicePolicy)>, Option<String>), Error> {
    let org = caller.organization_id;
    let rows = services
        .db
        .read(move |conn| Ok(policies::all_for_organization(conn, org)?))
        .await?;
    let by_product: HashMap<ProductId, SelfServicePolicy> =
        rows.into_iter().map(|r| (r.product_id, r.policy)).collect();
    let start = page.after.map_or(0, |i| i + 1);
    let items = services
        .catalog
        .products()
        .iter()
        .enumerate()
        .skip(start)
        .take(page.fetch_limit() as usize)
        .map(|(i, p)| {
            Ok((
                i,
                p.clone(),
                by_product.get(&p.id()).copied().unwrap_or_default(),
            ))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let (items, next) = page.finish(items, |(i, _, _)| *i);
    Ok((
        items
            .into_iter()
            .map(|(_, p, policy)| (p, policy))
            .collect(),
        next,
    ))
}

pub async fn get(
    services: &Services,
    caller: &Actor,
    id: ProductId,
) -> Result<(Product, SelfServicePolicy), Error> {
    let product = services
        .catalog
        .get(id)
        .ok_or(Error::NotFound("product"))?
        .clone();
    let org = caller.organization_id;
    let row = services
        .db
        .read(move |conn| Ok(policies::find(conn, org, id)?))
        .await?;
    let policy = row.map(|r| r.policy).unwrap_or_default();
    Ok((product, policy))
}

pub async fn set_policy(
    services: &Services,
    caller: &Actor,
    id: ProductId,
    policy: SelfServicePolicy,
) -> Result<(Product, SelfServicePolicy), Error> {
    caller.require_admin()?;
    let product = services
        .catalog
        .get(id)
        .ok_or(Error::NotFound("product"))?
        .clone();
    services
        .write(caller, move |conn, caller, now| {
            let org = caller.organization_id;
            let before = policies::find(conn, org, id)?
                .map(|r| r.policy)
                .unwrap_or_default();
            policies::upsert(
                conn,
                &PolicyRow {
                    organization_id: org,
                    product_id: id,
                    policy,
                    updated_by: caller.user_id,
                    updated_at: now.naive_utc(),
                },
            )?;
            if before != policy {
                audit::record(
                    conn,
                    Change {
                        action: AuditAction::PolicyChanged,
                        target_type: "product",
                        target_id: id.to_string(),
                        subscription_id: None,
                        before: Some(serde_json::json!({"policy": before.as_str()})),
                        after: Some(serde_json::json!({"policy": policy.as_str()})),
                        caller,
                        at: now,
                    },
                )?;
            }
            Ok(())
        })
        .await?;
    Ok((product, policy))
}
