//! CORS: allowed origins, other origins, and none configured.

use super::{bearer, raw, set};
use actix_web::http::Method;
use tests::TestApp;
use usecases::Clock;
use uuid::Uuid;

const APP: &str = "https://app.example.com";

async fn cors_app() -> TestApp {
    TestApp::spawn_with(
        &[(
            "SELFSERVE_CORS_ORIGINS",
            "https://app.example.com, http://localhost:5173",
        )],
        Clock::System,
    )
    .await
}

#[actix_web::test]
async fn an_allowed_origin_gets_preflight_answers_and_cors_headers_on_every_answer() {
    let app = cors_app().await;
    let member = app.signed_in(Uuid::new_v4(), false).await;

    let preflight = raw(
        &app.base,
        Method::OPTIONS,
        "/v1/subscriptions",
        &[
            ("Origin", APP),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "authorization, content-type, idempotency-key",
            ),
        ],
    )
    .await;
    assert_eq!(preflight.status, 200, "{:?}", preflight.headers);
    assert_eq!(preflight.header("access-control-allow-origin"), Some(APP));
    assert_eq!(
        preflight.list("access-control-allow-methods"),
        set(&["get", "head", "post"]),
        "the route's methods"
    );
    assert_eq!(
        preflight.list("access-control-allow-headers"),
        set(&[
            "authorization",
            "content-type",
            "if-match",
            "if-none-match",
            "idempotency-key",
            "x-request-id"
        ])
    );
    assert_eq!(preflight.header("access-control-max-age"), Some("600"));
    assert_eq!(preflight.header("x-content-type-options"), Some("nosniff"));

    let item = raw(
        &app.base,
        Method::OPTIONS,
        &format!("/v1/subscriptions/{}", Uuid::new_v4()),
        &[
            ("Origin", "http://localhost:5173"),
            ("Access-Control-Request-Method", "PATCH"),
            ("Access-Control-Request-Headers", "authorization, if-match"),
        ],
    )
    .await;
    assert_eq!(item.status, 200);
    assert_eq!(
        item.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    assert!(item.list("access-control-allow-methods").contains("patch"));

    let exposed = set(&[
        "etag",
        "location",
        "x-request-id",
        "retry-after",
        "idempotent-replayed",
        "content-disposition",
    ]);
    let token = bearer(&member);
    let me = raw(
        &app.base,
        Method::GET,
        "/v1/me",
        &[("Origin", APP), ("Authorization", &token)],
    )
    .await;
    assert_eq!(me.status, 200);
    assert_eq!(me.header("access-control-allow-origin"), Some(APP));
    assert!(me.list("vary").contains("origin"), "{:?}", me.headers);
    assert_eq!(me.list("access-control-expose-headers"), exposed);

    // Problems too: a browser can read why it failed.
    let no_token = raw(&app.base, Method::GET, "/v1/me", &[("Origin", APP)]).await;
    let unknown = raw(&app.base, Method::GET, "/v1/nope", &[("Origin", APP)]).await;
    let huge_url = format!("/v1/me?x={}", "a".repeat(20 * 1024));
    let too_long = raw(&app.base, Method::GET, &huge_url, &[("Origin", APP)]).await;
    for (reply, status, code) in [
        (&no_token, 401, "unauthorized"),
        (&unknown, 404, "route_not_found"),
        (&too_long, 414, "uri_too_long"),
    ] {
        assert_eq!(reply.status, status);
        assert_eq!(reply.code(), code);
        assert_eq!(reply.header("access-control-allow-origin"), Some(APP));
        assert_eq!(reply.list("access-control-expose-headers"), exposed);
    }

    // A preflight asking for a header the API does not take is refused, as a problem.
    let refused = raw(
        &app.base,
        Method::OPTIONS,
        "/v1/subscriptions",
        &[
            ("Origin", APP),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "x-something-else"),
        ],
    )
    .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.code(), "cors_refused");
    assert!(refused.cors_headers().is_empty(), "{:?}", refused.headers);
}

#[actix_web::test]
async fn other_origins_get_no_cors_headers_and_their_preflights_fail() {
    let app = cors_app().await;
    let member = app.signed_in(Uuid::new_v4(), false).await;
    let token = bearer(&member);
    for origin in [
        "https://evil.example.com",
        "https://app.example.com.evil.example",
        "http://app.example.com",
    ] {
        let me = raw(
            &app.base,
            Method::GET,
            "/v1/me",
            &[("Origin", origin), ("Authorization", &token)],
        )
        .await;
        assert_eq!(me.status, 200);
        assert!(me.cors_headers().is_empty(), "{origin}: {:?}", me.headers);

        let preflight = raw(
            &app.base,
            Method::OPTIONS,
            "/v1/me",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Headers", "authorization"),
            ],
        )
        .await;
        assert_eq!(preflight.status, 403, "{origin}");
        assert_eq!(preflight.code(), "cors_refused");
        assert!(
            preflight.cors_headers().is_empty(),
            "{:?}",
            preflight.headers
        );
    }
    // No Origin at all (curl, servers): as without CORS.
    let me = raw(
        &app.base,
        Method::GET,
        "/v1/me",
        &[("Authorization", &token)],
    )
    .await;
    assert_eq!(me.status, 200);
    assert!(me.cors_headers().is_empty(), "{:?}", me.headers);
}

#[actix_web::test]
async fn without_configured_origins_there_are_no_cors_headers() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(Uuid::new_v4(), false).await;
    let token = bearer(&member);
    let me = raw(
        &app.base,
        Method::GET,
        "/v1/me",
        &[("Origin", APP), ("Authorization", &token)],
    )
    .await;
    assert_eq!(me.status, 200);
    assert!(me.cors_headers().is_empty(), "{:?}", me.headers);
    // A preflight meets the routes as before: OPTIONS is no method of theirs.
    let preflight = raw(
        &app.base,
        Method::OPTIONS,
        "/v1/me",
        &[("Origin", APP), ("Access-Control-Request-Method", "GET")],
    )
    .await;
    assert_eq!(preflight.status, 405);
    assert_eq!(preflight.code(), "method_not_allowed");
    assert!(
        preflight.cors_headers().is_empty(),
        "{:?}",
        preflight.headers
    );
}
