#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `GET /v1/admin/self-service-users.csv` (PRODUCT.md §7): one row per user
//! and product held through live self-service subscriptions.

use tests::{json, Actor, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01";
const MAIL: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a04";
const PATH: &str = "/v1/admin/self-service-users.csv";

async fn csv(app: &TestApp, actor: &Actor) -> (u16, Option<String>, Vec<csv::StringRecord>) {
    let mut response = awc::Client::default()
        .get(format!("{}{PATH}", app.base))
        .insert_header(("Authorization", format!("Bearer {}", actor.token)))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let disposition = response
        .headers()
        .get("content-disposition")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = response.body().limit(10 << 20).await.unwrap();
    if status != 200 {
        return (status, disposition, Vec::new());
    }
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    let mut rows = vec![reader.headers().unwrap().clone()];
    rows.extend(reader.records().map(Result::unwrap));
    (status, disposition, rows)
}

/// A member whose token names them `name`.
async fn named(app: &TestApp, org: Uuid, name: &str, admin: bool) -> Actor {
    let user_id = Uuid::new_v4();
    let mut claims = TestApp::claims(org, user_id, admin);
    claims["name"] = json!(name);
    let actor = Actor {
        user_id,
        org,
        token: app.sign(&claims),
    };
    assert_eq!(app.get("/v1/me", &actor).await.status, 200);
    actor
}

async fn assign(app: &TestApp, owner: &Actor, subscription: &str, users: &[&Actor]) {
    let reply = app
        .post(
            &format!("/v1/subscriptions/{subscription}/assignments"),
            owner,
            json!({"user_ids": users.iter().map(|u| u.user_id).collect::<Vec<_>>()}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
}

#[actix_web::test]
async fn one_row_per_user_and_product_with_every_subscription_and_purchaser() {
    let app = TestApp::spawn_at("2026-03-02").await;
    let org = Uuid::new_v4();
    let admin = named(&app, org, "Root Admin", true).await;
    let ada = named(&app, org, "Ada", false).await;
    let bob = named(&app, org, "=Bob", false).await;
    let carol = named(&app, org, "Carol", false).await;

    let ada_crm = app.buy(&ada, CRM, 3).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bob_crm = app.buy(&bob, CRM, 3).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ada_mail = app.buy(&ada, MAIL, 3).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let gone = app.buy(&carol, MAIL, 3).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Carol holds CRM through two purchases: one row, both subscriptions, both purchasers.
    assign(&app, &ada, &ada_crm, &[&carol, &ada]).await;
    assign(&app, &bob, &bob_crm, &[&carol]).await;
    assign(&app, &ada, &ada_mail, &[&carol]).await;
    // A canceled purchase no longer counts.
    assign(&app, &carol, &gone, &[&bob]).await;
    let reply = app
        .post(
            &format!("/v1/subscriptions/{gone}/cancel"),
            &carol,
            json!({"reason": "other"}),
        )
        .await;
    assert_eq!(reply.status, 200);
    // Nor does an organisation subscription.
    let (profile, card) = app.billing_setup(&admin).await;
    let org_sub = app
        .post(
            "/v1/subscriptions",
            &admin,
            json!({"product_id": CRM, "license_count": 2, "billing_frequency": "monthly",
                   "billing_profile_id": profile, "payment_method_id": card, "source": "organization"}),
        )
        .await;
    assert_eq!(org_sub.status, 201, "{org_sub:?}");
    assign(&app, &admin, org_sub.body["id"].as_str().unwrap(), &[&bob]).await;

    let (status, disposition, rows) = csv(&app, &admin).await;
    assert_eq!(status, 200);
    assert!(disposition.unwrap().contains("attachment"));
    let header: Vec<&str> = rows[0].iter().collect();
    assert_eq!(
        header,
        vec![
            "user_id",
            "display_name",
            "email",
            "product_id",
            "product_name",
            "subscription_ids",
            "purchaser_names"
        ]
    );
    let rows: Vec<Vec<String>> = rows[1..]
        .iter()
        .map(|r| r.iter().map(str::to_owned).collect())
        .collect();
    let find = |user: &Actor, product: &str| -> Vec<String> {
        rows.iter()
            .find(|r| r[0] == user.user_id.to_string() && r[3] == product)
            .cloned()
            .unwrap_or_else(|| panic!("no row for {} / {product}: {rows:?}", user.user_id))
    };
    assert_eq!(rows.len(), 3, "{rows:?}");
    let carol_crm = find(&carol, CRM);
    assert_eq!(carol_crm[1], "Carol");
    assert_eq!(carol_crm[4], "Contoso CRM");
    let mut subs: Vec<&str> = carol_crm[5].split("; ").collect();
    subs.sort();
    let mut expected = vec![ada_crm.as_str(), bob_crm.as_str()];
    expected.sort();
    assert_eq!(subs, expected);
    let mut purchasers: Vec<&str> = carol_crm[6].split("; ").collect();
    purchasers.sort();
    // Formula-safe like every CSV: Bob's name starts with `=`.
    assert_eq!(purchasers, vec!["'=Bob", "Ada"]);
    assert_eq!(find(&carol, MAIL)[5], ada_mail);
    assert_eq!(find(&ada, CRM)[6], "Ada");
    assert!(
        rows.iter().all(|r| r[0] != bob.user_id.to_string()),
        "{rows:?}"
    );

    let (status, _, _) = csv(&app, &ada).await;
    assert_eq!(status, 403);
}
