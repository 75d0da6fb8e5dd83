#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The security matrix, walked over every operation of the contract, so that a
//! new route cannot escape it: no token → 401; another organisation's ids → 404;
//! members on admin routes → 403; admins writing another's purchase → 403;
//! unknown or read-only fields → 422; `limit` over 100 → 422; bodies over 64 KiB → 413.

use serde_json::Value;
use std::collections::HashMap;
use tests::{json, Actor, Method, TestApp};
use uuid::Uuid;

const CRM: &str = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01";

struct Op {
    method: Method,
    path: String,
    has_body: bool,
    has_limit: bool,
}

fn operations() -> Vec<Op> {
    let doc: Value = serde_json::from_str(&api::startup::app::openapi_json()).unwrap();
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method = match method.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                "delete" => Method::DELETE,
                _ => continue,
            };
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            ops.push(Op {
                method,
                path: path.clone(),
                has_body: op.get("requestBody").is_some(),
                has_limit: params
                    .iter()
                    .any(|p| p["name"] == "limit" && p["in"] == "query"),
            });
        }
    }
    ops
}

/// Organisation A's objects, for filling path parameters.
struct Fixture {
    ids: HashMap<&'static str, String>,
    owner: Actor,
    admin: Actor,
    profile: String,
    card: String,
    assignee: String,
    /// An organisation subscription the admin manages, for approvals.
    org_subscription: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let owner = app.signed_in(org, false).await;
    let assignee = app.signed_in(org, false).await;
    let (profile, card) = app.billing_setup(&owner).await;
    let sub = app
        .post(
            "/v1/subscriptions",
            &owner,
            json!({"product_id": CRM, "license_count": 5, "billing_frequency": "monthly", "billing_profile_id": profile, "payment_method_id": card}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = app
        .post(
            &format!("/v1/subscriptions/{sub}/assignments"),
            &owner,
            json!({"user_ids": [assignee.user_id]}),
        )
        .await;
    assert_eq!(reply.status, 200);
    let invoice = app.get("/v1/invoices", &owner).await.body["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let account = app.get("/v1/billing-accounts", &owner).await.body["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let request = app
        .post("/v1/license-requests", &owner, json!({"product_id": CRM}))
        .await;
    assert_eq!(request.status, 201, "{request:?}");
    let (admin_profile, admin_card) = app.billing_setup(&admin).await;
    let org_subscription = app
        .post(
            "/v1/subscriptions",
            &admin,
            json!({"product_id": CRM, "license_count": 5, "billing_frequency": "monthly", "billing_profile_id": admin_profile,
                   "payment_method_id": admin_card, "source": "organization"}),
        )
        .await;
    assert_eq!(org_subscription.status, 201, "{org_subscription:?}");
    let ids = HashMap::from([
        (
            "license_request_id",
            request.body["id"].as_str().unwrap().to_owned(),
        ),
        ("subscription_id", sub),
        ("invoice_id", invoice),
        ("billing_profile_id", profile.clone()),
        ("billing_account_id", account),
        ("payment_method_id", card.clone()),
        ("user_id", assignee.user_id.to_string()),
        ("product_id", CRM.to_owned()),
    ]);
    Fixture {
        ids,
        owner,
        admin,
        profile,
        card,
        assignee: assignee.user_id.to_string(),
        org_subscription: org_subscription.body["id"].as_str().unwrap().to_owned(),
    }
}

fn fill(path: &str, ids: &HashMap<&'static str, String>) -> String {
    let mut out = path.to_owned();
    for (name, id) in ids {
        out = out.replace(&format!("{{{name}}}"), id);
    }
    assert!(!out.contains('{'), "no fixture for a parameter of {path}");
    out
}

/// A valid body for every operation that takes one. A new operation with a
/// body and no entry here fails the matrix.
fn valid_body(op: &Op, f: &Fixture) -> Value {
    let key = format!("{} {}", op.method, op.path);
    match key.as_str() {
        "POST /v1/users" => {
            json!({"display_name": "New Member", "email": format!("{}@example.org", Uuid::new_v4().simple())})
        }
        "PUT /v1/products/{product_id}/self-service-policy" => json!({"policy": "enabled"}),
        "PATCH /v1/organization/settings" => json!({"license_requests": "enabled"}),
        "POST /v1/license-requests" => json!({"product_id": CRM, "message": "please"}),
        "POST /v1/license-requests/{license_request_id}/approve" => {
            json!({"subscription_id": f.org_subscription})
        }
        "POST /v1/license-requests/{license_request_id}/deny" => json!({"message": "no"}),
        "POST /v1/admin/subscriptions/{subscription_id}/take-control" => {
            json!({"action": "cancel", "reason": "other"})
        }
        "POST /v1/billing-accounts/{billing_account_id}/billing-profiles" => json!({
            "name": "P", "invoice_email": "a@b.example",
            "bill_to": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}
        }),
        "PATCH /v1/billing-profiles/{billing_profile_id}" => json!({"name": "Renamed"}),
        "PUT /v1/billing-profiles/{billing_profile_id}/payment-method" => {
            json!({"payment_method_id": f.card})
        }
        "POST /v1/payment-methods" => json!({
            "card": {"number": "5555555555554444", "exp_month": 12, "exp_year": 2040, "cvc": "123", "holder_name": "X"},
            "billing_address": {"line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}
        }),
        "PATCH /v1/payment-methods/{payment_method_id}" => json!({"holder_name": "Y"}),
        "POST /v1/subscriptions" => json!({"product_id": CRM, "license_count": 1, "trial": true}),
        "PATCH /v1/subscriptions/{subscription_id}" => json!({"license_count": 6}),
        "POST /v1/subscriptions/{subscription_id}/license-count-preview" => {
            json!({"license_count": 6})
        }
        "POST /v1/subscriptions/{subscription_id}/convert" => {
            json!({"billing_profile_id": f.profile, "payment_method_id": f.card, "billing_frequency": "monthly"})
        }
        "POST /v1/subscriptions/{subscription_id}/cancel" => json!({"reason": "other"}),
        "POST /v1/subscriptions/{subscription_id}/assignments"
        | "POST /v1/subscriptions/{subscription_id}/assignments/remove" => {
            json!({"user_ids": [f.assignee]})
        }
        other => panic!("the security matrix has no valid body for `{other}`: add one"),
    }
}

async fn send(
    app: &TestApp,
    op: &Op,
    path: &str,
    actor: Option<&Actor>,
    body: Option<&Value>,
) -> tests::Reply {
    match actor {
        Some(actor) => {
            app.send(op.method.clone(), path, actor, &[("If-Match", "*")], body)
                .await
        }
        None => app.call(op.method.clone(), path, None, body).await,
    }
}

fn assert_problem(reply: &tests::Reply, status: u16, code: &str, what: &str) {
    assert_eq!(
        (reply.status, reply.code()),
        (status, code),
        "{what}: {reply:?}"
    );
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/problem+json"),
        "{what}"
    );
}

#[actix_web::test]
async fn every_v1_operation_needs_a_token() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    for op in operations().iter().filter(|o| o.path.starts_with("/v1/")) {
        let path = fill(&op.path, &f.ids);
        let body = op.has_body.then(|| valid_body(op, &f));
        let reply = send(&app, op, &path, None, body.as_ref()).await;
        assert_problem(
            &reply,
            401,
            "unauthorized",
            &format!("{} {}", op.method, op.path),
        );
    }
}

#[actix_web::test]
async fn another_organisations_ids_are_404() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let stranger = app.signed_in(Uuid::new_v4(), true).await;
    app.billing_setup(&stranger).await;
    for op in operations()
        .iter()
        .filter(|o| o.path.starts_with("/v1/") && o.path.contains('{'))
    {
        // The catalog is shared by every organisation: a product id is not tenant data.
        if op.path.starts_with("/v1/products/{product_id}") {
            continue;
        }
        let path = fill(&op.path, &f.ids);
        let body = op.has_body.then(|| valid_body(op, &f));
        let reply = send(&app, op, &path, Some(&stranger), body.as_ref()).await;
        assert_problem(
            &reply,
            404,
            "not_found",
            &format!("{} {}", op.method, op.path),
        );
    }
}

#[actix_web::test]
async fn members_are_refused_admin_operations() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let admin_only = |op: &Op| {
        op.path.starts_with("/v1/admin/")
            || (op.method == Method::POST && op.path == "/v1/users")
            || op.path.ends_with("/self-service-policy")
            || (op.method == Method::PATCH && op.path == "/v1/organization/settings")
            || op.path.ends_with("/approve")
            || op.path.ends_with("/deny")
    };
    let mut checked = 0;
    for op in operations().iter().filter(|o| admin_only(o)) {
        let path = fill(&op.path, &f.ids);
        let body = op.has_body.then(|| valid_body(op, &f));
        let reply = send(&app, op, &path, Some(&f.owner), body.as_ref()).await;
        assert_problem(
            &reply,
            403,
            "admin_only",
            &format!("{} {}", op.method, op.path),
        );
        let reply = send(&app, op, &path, Some(&f.admin), body.as_ref()).await;
        // A request is decided once: the second of approve and deny finds it decided.
        assert!(
            reply.status < 300 || reply.code() == "license_request_decided",
            "{} {} as admin: {reply:?}",
            op.method,
            op.path
        );
        checked += 1;
    }
    assert!(checked >= 5);
}

#[actix_web::test]
async fn admins_cannot_write_anothers_purchase() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let writes = operations()
        .into_iter()
        .filter(|o| {
            o.path.starts_with("/v1/subscriptions/{subscription_id}") && o.method != Method::GET
        })
        .collect::<Vec<_>>();
    assert!(writes.len() >= 7);
    for op in &writes {
        let path = fill(&op.path, &f.ids);
        let body = op.has_body.then(|| valid_body(op, &f));
        let reply = send(&app, op, &path, Some(&f.admin), body.as_ref()).await;
        assert_problem(
            &reply,
            403,
            "admin_read_only",
            &format!("{} {}", op.method, op.path),
        );
    }
}

#[actix_web::test]
async fn bodies_refuse_unknown_and_read_only_fields_and_oversize() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    for op in operations().iter().filter(|o| o.has_body) {
        let path = fill(&op.path, &f.ids);
        let what = format!("{} {}", op.method, op.path);
        for field in [
            "id",
            "organization_id",
            "owner_id",
            "purchaser_id",
            "status",
            "assigned_count",
            "unit_price",
            "total_price",
        ] {
            let mut body = valid_body(op, &f);
            if body.get(field).is_some() {
                continue;
            }
            body[field] = json!(1);
            let reply = send(&app, op, &path, Some(&f.owner), Some(&body)).await;
            assert_problem(
                &reply,
                422,
                "unknown_field",
                &format!("{what} with `{field}`"),
            );
            assert_eq!(reply.body["field"], json!(field));
        }
        let mut big = valid_body(op, &f);
        big["padding"] = json!("x".repeat(65 * 1024));
        let reply = send(&app, op, &path, Some(&f.owner), Some(&big)).await;
        assert_problem(&reply, 413, "payload_too_large", &what);
    }
}

#[actix_web::test]
async fn limits_over_100_are_refused() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let mut checked = 0;
    for op in operations().iter().filter(|o| o.has_limit) {
        let path = format!("{}?limit=101", fill(&op.path, &f.ids));
        let reply = send(&app, op, &path, Some(&f.admin), None).await;
        assert_problem(
            &reply,
            422,
            "invalid_parameter",
            &format!("{} {}", op.method, op.path),
        );
        checked += 1;
    }
    assert!(checked >= 8, "{checked}");
}

/// PRODUCT.md §9 fields on existing operations keep to the same matrix: a
/// quote is only ever spent by its subscription's owner, never across
/// organisations; growing on assign is a write admins cannot make on another's
/// purchase; a purchase assigns members of its own organisation only.
#[actix_web::test]
async fn seat_change_fields_keep_tenancy_and_ownership() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let sub = f.ids["subscription_id"].clone();
    let quote = app
        .post(
            &format!("/v1/subscriptions/{sub}/license-count-preview"),
            &f.owner,
            json!({"license_count": 6}),
        )
        .await;
    assert_eq!(quote.status, 200, "{quote:?}");
    let quote_id = quote.body["quote_id"].clone();
    let with_quote = json!({"license_count": 6, "quote_id": quote_id});
    let patch = |actor: &Actor, id: &str| {
        let (actor, path, body) = (
            actor.clone(),
            format!("/v1/subscriptions/{id}"),
            with_quote.clone(),
        );
        let app = &app;
        async move {
            app.send(
                Method::PATCH,
                &path,
                &actor,
                &[("If-Match", "*")],
                Some(&body),
            )
            .await
        }
    };

    // Another organisation: the subscription is not there, nor is the quote.
    let outsider = app.signed_in(Uuid::new_v4(), false).await;
    let theirs = app.buy(&outsider, CRM, 5).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_problem(&patch(&outsider, &sub).await, 404, "not_found", "outsider");
    let reply = patch(&outsider, &theirs).await;
    assert_problem(&reply, 422, "invalid_reference", "a quote of another org");
    assert_eq!(reply.body["field"], json!("quote_id"));

    // The same organisation: an admin cannot spend it, a colleague's own
    // subscription does not match it.
    assert_problem(
        &patch(&f.admin, &sub).await,
        403,
        "admin_read_only",
        "admin",
    );
    let colleague = app.signed_in(f.owner.org, false).await;
    let own = app.buy(&colleague, CRM, 5).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_problem(
        &patch(&colleague, &own).await,
        409,
        "quote_mismatch",
        "colleague",
    );

    let grow = app
        .send(
            Method::POST,
            &format!("/v1/subscriptions/{sub}/assignments"),
            &f.admin,
            &[("If-Match", "*")],
            Some(&json!({"user_ids": [f.admin.user_id], "add_licenses": true})),
        )
        .await;
    assert_problem(
        &grow,
        403,
        "admin_read_only",
        "admin growing another's purchase",
    );

    let (profile, card) = app.billing_setup(&outsider).await;
    let reply = app
        .post(
            "/v1/subscriptions",
            &outsider,
            json!({"product_id": CRM, "license_count": 2, "billing_frequency": "monthly",
                   "billing_profile_id": profile, "payment_method_id": card,
                   "assign_user_ids": [f.assignee]}),
        )
        .await;
    assert_problem(
        &reply,
        422,
        "users_not_in_organization",
        "assigning a stranger",
    );

    // Nothing moved: the owner's quote still applies.
    let reply = patch(&f.owner, &sub).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["license_count"], json!(6));
}

/// Reactivation follows cancel's access rules: the purchaser of a
/// self-service purchase or any admin of an organisation subscription;
/// an admin on a member's purchase is 403; anyone else, or another
/// organisation, 404 (PRODUCT.md §8).
#[actix_web::test]
async fn reactivate_follows_the_cancel_access_rules() {
    let app = TestApp::spawn_at("2026-01-05").await;
    let f = fixture(&app).await;
    let sub = f.ids["subscription_id"].clone();
    let off = |actor: &Actor, id: &str| {
        let (actor, path) = (actor.clone(), format!("/v1/subscriptions/{id}"));
        let app = &app;
        async move {
            let reply = app
                .send(
                    Method::PATCH,
                    &path,
                    &actor,
                    &[("If-Match", "*")],
                    Some(&json!({"auto_renew": false})),
                )
                .await;
            assert_eq!(reply.status, 200, "{reply:?}");
        }
    };
    off(&f.owner, &sub).await;
    off(&f.admin, &f.org_subscription).await;
    app.set_today("2026-02-06");
    assert_eq!(app.billing_run("2026-02-06").lapsed, 2);
    let reactivate = |actor: &Actor, id: &str| {
        let (actor, path) = (actor.clone(), format!("/v1/subscriptions/{id}/reactivate"));
        let app = &app;
        async move { app.send(Method::POST, &path, &actor, &[], None).await }
    };

    let outsider = app.signed_in(Uuid::new_v4(), true).await;
    let colleague = app.signed_in(f.owner.org, false).await;
    for (who, id, status, code) in [
        (&outsider, &sub, 404, "not_found"),
        (&outsider, &f.org_subscription, 404, "not_found"),
        (&colleague, &sub, 404, "not_found"),
        (&colleague, &f.org_subscription, 404, "not_found"),
        (&f.admin, &sub, 403, "admin_read_only"),
    ] {
        let reply = reactivate(who, id).await;
        assert_problem(&reply, status, code, "reactivate");
    }
    // Nothing moved; then the ones who manage them reactivate.
    let status = app.get(&format!("/v1/subscriptions/{sub}"), &f.owner).await;
    assert_eq!(status.body["status"], json!("expired"));
    assert_eq!(reactivate(&f.owner, &sub).await.status, 200);
    let other_admin = app.signed_in(f.owner.org, true).await;
    let reply = reactivate(&other_admin, &f.org_subscription).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["status"], json!("active"));
}
