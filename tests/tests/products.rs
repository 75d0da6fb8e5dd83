#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Catalog and the per-organisation self-service policy.

use tests::{json, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01";
const MAIL: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a04";

#[actix_web::test]
async fn the_catalog_lists_prices_in_minor_units_and_trials() {
    let app = TestApp::spawn().await;
    let member = app.actor(Uuid::new_v4(), false);
    let reply = app.get("/v1/products", &member).await;
    assert_eq!(reply.status, 200);
    let products = reply.body["data"].as_array().unwrap();
    assert!(products.len() >= 4);
    let crm = products.iter().find(|p| p["id"] == json!(CRM)).unwrap();
    assert_eq!(
        crm["unit_prices"]["monthly"],
        json!({"amount": 1250, "currency": "USD"})
    );
    assert_eq!(crm["trial"], json!({"days": 30, "max_licenses": 25}));
    assert_eq!(crm["self_service_policy"], json!("enabled"));
    let mail = products.iter().find(|p| p["id"] == json!(MAIL)).unwrap();
    assert_eq!(mail["trial"], json!(null));

    let reply = app.get("/v1/products?limit=1", &member).await;
    assert_eq!(reply.body["data"].as_array().unwrap().len(), 1);
    let cursor = reply.body["next_cursor"].as_str().unwrap().to_owned();
    let reply = app
        .get(&format!("/v1/products?limit=100&cursor={cursor}"), &member)
        .await;
    assert_eq!(
        reply.body["data"].as_array().unwrap().len(),
        products.len() - 1
    );
    assert_eq!(reply.body["next_cursor"], json!(null));

    let reply = app
        .get(&format!("/v1/products/{}", Uuid::new_v4()), &member)
        .await;
    assert_eq!((reply.status, reply.code()), (404, "not_found"));
}

#[actix_web::test]
async fn only_admins_set_the_policy_and_it_is_per_organisation() {
    let app = TestApp::spawn().await;
    let org = Uuid::new_v4();
    let member = app.signed_in(org, false).await;
    let admin = app.signed_in(org, true).await;
    let elsewhere = app.signed_in(Uuid::new_v4(), false).await;
    let path = format!("/v1/products/{CRM}/self-service-policy");

    let reply = app.put(&path, &member, json!({"policy": "disabled"})).await;
    assert_eq!((reply.status, reply.code()), (403, "admin_only"));
    let reply = app.get(&format!("/v1/products/{CRM}"), &member).await;
    assert_eq!(
        reply.body["self_service_policy"],
        json!("enabled"),
        "the member's attempt changed nothing"
    );

    for policy in ["trials_only", "disabled", "enabled", "disabled"] {
        let reply = app.put(&path, &admin, json!({"policy": policy})).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        assert_eq!(reply.body["self_service_policy"], json!(policy));
    }
    let reply = app.get(&format!("/v1/products/{CRM}"), &member).await;
    assert_eq!(reply.body["self_service_policy"], json!("disabled"));
    let reply = app.get(&format!("/v1/products/{CRM}"), &elsewhere).await;
    assert_eq!(
        reply.body["self_service_policy"],
        json!("enabled"),
        "another organisation is unaffected"
    );

    let reply = app
        .put(
            &format!("/v1/products/{}/self-service-policy", Uuid::new_v4()),
            &admin,
            json!({"policy": "disabled"}),
        )
        .await;
    assert_eq!((reply.status, reply.code()), (404, "not_found"));
}
