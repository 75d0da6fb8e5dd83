//! Managing endpoints: admins only, the secret shown once, URLs checked.

use super::*;
use tests::Method;

#[actix_web::test]
async fn admins_manage_endpoints_and_see_the_secret_once() {
    let app = app().await;
    let org = Uuid::new_v4();
    let admin = app.signed_in(org, true).await;
    let member = app.signed_in(org, false).await;
    let (id, secret) = endpoint(
        &app,
        &admin,
        "https://hooks.example.com/a",
        &["invoice.issued"],
    )
    .await;
    assert!(
        secret.starts_with("whsec_") && secret.len() > 40,
        "{secret}"
    );

    let read = app
        .get(&format!("/v1/admin/webhook-endpoints/{id}"), &admin)
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["events"], json!(["invoice.issued"]));
    assert_eq!(read.body["enabled"], json!(true));
    let list = app.get("/v1/admin/webhook-endpoints", &admin).await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1);
    let patched = app
        .call(
            Method::PATCH,
            &format!("/v1/admin/webhook-endpoints/{id}"),
            Some(&admin.token),
            Some(&json!({"events": ["*"], "enabled": false, "description": null})),
        )
        .await;
    assert_eq!(patched.status, 200, "{patched:?}");
    assert_eq!(patched.body["events"], json!(["*"]));
    assert_eq!(patched.body["enabled"], json!(false));
    assert_eq!(patched.body["description"], json!(null));
    // Never again: no read shows the secret, under any name.
    for reply in [&read, &list, &patched] {
        let text = reply.body.to_string();
        assert!(
            !text.contains(&secret) && !text.contains("\"secret\""),
            "{text}"
        );
    }

    // Members: 403; another organisation's admin: 404, as if it did not exist.
    let reply = app
        .get(&format!("/v1/admin/webhook-endpoints/{id}"), &member)
        .await;
    assert_eq!((reply.status, reply.code()), (403, "admin_only"));
    let outsider = app.signed_in(Uuid::new_v4(), true).await;
    let reply = app
        .get(&format!("/v1/admin/webhook-endpoints/{id}"), &outsider)
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        app.get("/v1/admin/webhook-endpoints", &outsider).await.body["data"],
        json!([])
    );

    // A rotation shows the new secret once and says until when the old one signs.
    let rotated = app
        .post(
            &format!("/v1/admin/webhook-endpoints/{id}/rotate-secret"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(rotated.status, 200, "{rotated:?}");
    let fresh = rotated.body["secret"].as_str().unwrap();
    assert_ne!(fresh, secret);
    assert_eq!(
        rotated.body["previous_secret_expires_at"],
        json!("2026-12-03T10:00:00Z")
    );

    let gone = app
        .call(
            Method::DELETE,
            &format!("/v1/admin/webhook-endpoints/{id}"),
            Some(&admin.token),
            None,
        )
        .await;
    assert_eq!(gone.status, 204);
    let reply = app
        .get(&format!("/v1/admin/webhook-endpoints/{id}"), &admin)
        .await;
    assert_eq!(reply.status, 404);
}

#[actix_web::test]
async fn private_and_insecure_urls_are_refused_without_the_flag() {
    let app = TestApp::spawn_with(&[], clock_at("2026-12-02T10:00:00Z")).await;
    let admin = app.signed_in(Uuid::new_v4(), true).await;
    for (url, code) in [
        ("http://hooks.example.com/", "webhook_url_not_https"),
        ("https://127.0.0.1/hook", "webhook_url_private_address"),
        ("https://[::1]:8443/hook", "webhook_url_private_address"),
        (
            "https://169.254.169.254/latest/meta-data",
            "webhook_url_private_address",
        ),
        ("https://10.1.2.3/hook", "webhook_url_private_address"),
        // A name is judged by every address it resolves to.
        ("https://localhost:9/hook", "webhook_url_private_address"),
        (
            "https://user:pw@hooks.example.com/",
            "webhook_url_credentials",
        ),
        ("https://", "invalid_webhook_url"),
    ] {
        let reply = app
            .post(
                "/v1/admin/webhook-endpoints",
                &admin,
                json!({"url": url, "events": ["*"]}),
            )
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (422, code),
            "{url}: {reply:?}"
        );
        assert_eq!(reply.body["field"], json!("url"), "{url}");
    }
    assert_eq!(
        app.get("/v1/admin/webhook-endpoints", &admin).await.body["data"],
        json!([])
    );
    // A PATCH is checked the same way.
    let (id, _) = endpoint(&app, &admin, "https://93.184.216.34/hook", &["*"]).await;
    let reply = app
        .call(
            Method::PATCH,
            &format!("/v1/admin/webhook-endpoints/{id}"),
            Some(&admin.token),
            Some(&json!({"url": "https://192.168.1.10/"})),
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "webhook_url_private_address")
    );
    let read = app
        .get(&format!("/v1/admin/webhook-endpoints/{id}"), &admin)
        .await;
    assert_eq!(read.body["url"], json!("https://93.184.216.34/hook"));
}

#[actix_web::test]
async fn event_lists_follow_the_contract() {
    let app = app().await;
    let admin = app.signed_in(Uuid::new_v4(), true).await;
    for events in [
        json!([]),
        json!(["invoice.paid"]),
        json!(["invoice.issued", "invoice.issued"]),
        json!("*"),
    ] {
        let reply = app
            .post(
                "/v1/admin/webhook-endpoints",
                &admin,
                json!({"url": "https://hooks.example.com/", "events": events}),
            )
            .await;
        assert_eq!(reply.status, 422, "{events}: {reply:?}");
    }
    let (id, _) = endpoint(
        &app,
        &admin,
        "https://hooks.example.com/",
        &["*", "invoice.issued"],
    )
    .await;
    let read = app
        .get(&format!("/v1/admin/webhook-endpoints/{id}"), &admin)
        .await;
    assert_eq!(read.body["events"], json!(["*"]));
    // `null` is not a value for the URL, the events or `enabled`.
    for body in [
        json!({"url": null}),
        json!({"events": null}),
        json!({"enabled": null}),
    ] {
        let reply = app
            .call(
                Method::PATCH,
                &format!("/v1/admin/webhook-endpoints/{id}"),
                Some(&admin.token),
                Some(&body),
            )
            .await;
        assert_eq!(reply.status, 422, "{body}: {reply:?}");
    }
}
