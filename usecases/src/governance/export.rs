//! Who holds licenses through members' own purchases (PRODUCT.md §7): one
//! entry per user and product, with every purchase it comes through.

use crate::error::Error;
use crate::{Actor, Services};
use domain::subscription::trial_expired;
use domain::{ProductId, SubscriptionId, UserId};
use persistence::repos::{assignments, users};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One user holding one product through live self-service purchases.
pub struct Holding {
    pub user_id: UserId,
    pub display_name: String,
    pub email: Option<String>,
    pub product_id: ProductId,
    pub product_name: String,
    /// Sorted.
    pub subscription_ids: Vec<SubscriptionId>,
    /// One per purchaser, sorted.
    pub purchaser_names: Vec<String>,
}

/// Every holding of the organisation (admins only), by user name, then product name.
pub async fn self_service_users(
    services: &Services,
    caller: &Actor,
) -> Result<Vec<Holding>, Error> {
    caller.require_admin()?;
    let org = caller.organization_id;
    let today = services.clock.now().date_naive();
    let catalog = services.catalog.clone();
    services
        .db
        .run(move |conn| {
            let rows: Vec<_> = assignments::self_service_holdings(conn, org)?
                .into_iter()
                // A trial past its end reads as expired before the billing run records it.
                .filter(|r| !r.trial_ends_on.is_some_and(|end| trial_expired(end, today)))
                .collect();
            let people: BTreeSet<UserId> = rows
                .iter()
                .flat_map(|r| [r.user_id, r.purchaser_id])
                .collect();
            let people: Vec<UserId> = people.into_iter().collect();
            let directory: HashMap<UserId, persistence::rows::UserRow> =
                users::find_many(conn, org, &people)?
                    .into_iter()
                    .map(|u| (u.id, u))
                    .collect();
            let name = |id: &UserId| {
                directory
                    .get(id)
                    .map(|u| u.display_name.clone())
                    .unwrap_or_default()
            };
            let mut grouped: BTreeMap<
                (UserId, ProductId),
                (BTreeSet<SubscriptionId>, BTreeSet<String>),
            > = BTreeMap::new();
            for r in &rows {
                let entry = grouped.entry((r.user_id, r.product_id)).or_default();
                entry.0.insert(r.subscription_id);
                entry.1.insert(name(&r.purchaser_id));
            }
            let mut holdings: Vec<Holding> = grouped
                .into_iter()
                .map(
                    |((user_id, product_id), (subscriptions, purchasers))| Holding {
                        display_name: name(&user_id),
                        email: directory.get(&user_id).and_then(|u| u.email.clone()),
                        product_name: catalog
                            .get(product_id)
                            .map(|p| p.name().to_owned())
                            .unwrap_or_else(|| "Unknown product".to_owned()),
                        user_id,
                        product_id,
                        subscription_ids: subscriptions.into_iter().collect(),
                        purchaser_names: purchasers.into_iter().collect(),
                    },
                )
                .collect();
            holdings.sort_by(|a, b| {
                (&a.display_name, &a.user_id, &a.product_name).cmp(&(
                    &b.display_name,
                    &b.user_id,
                    &b.product_name,
                ))
            });
            Ok(holdings)
        })
        .await
}
