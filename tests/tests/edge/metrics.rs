//! Metrics: their own listener, bounded labels.

use super::raw;
use actix_web::http::Method;
use std::collections::BTreeSet;
use tests::TestApp;
use usecases::Clock;
use uuid::Uuid;

fn label<'a>(line: &'a str, label: &str) -> Option<&'a str> {
    let start = line.find(&format!("{label}=\""))? + label.len() + 2;
    let rest = &line[start..];
    Some(&rest[..rest.find('"')?])
}

#[actix_web::test]
async fn metrics_live_on_their_own_listener_with_bounded_labels() {
    let app =
        TestApp::spawn_with(&[("SELFSERVE_METRICS_BIND", "127.0.0.1:0")], Clock::System).await;
    let metrics_base = app.metrics_base.clone().expect("metrics listener");

    let public = raw(&app.base, Method::GET, "/metrics", &[]).await;
    assert_eq!(public.status, 404);
    assert_eq!(public.code(), "route_not_found");

    for i in 0..200 {
        let method = Method::from_bytes(
            format!("X{}", Uuid::new_v4().simple())
                .to_uppercase()
                .as_bytes(),
        )
        .unwrap();
        let path = match i % 4 {
            0 => format!("/{}", Uuid::new_v4()),
            1 => format!("/v1/{}/{}", Uuid::new_v4(), i),
            2 => "/v1/me".to_owned(),
            _ => format!("/swagger-uii/{i}"),
        };
        let reply = raw(&app.base, method, &path, &[]).await;
        assert!(
            matches!(reply.status, 404 | 405),
            "{path}: {}",
            reply.status
        );
    }
    for _ in 0..20 {
        let path = format!("/{}", Uuid::new_v4());
        raw(&app.base, Method::GET, &path, &[]).await;
    }

    let exposition = raw(&metrics_base, Method::GET, "/metrics", &[]).await;
    assert_eq!(exposition.status, 200);
    let text = String::from_utf8(exposition.body).unwrap();
    let series: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("selfserve_http_requests_total{"))
        .collect();
    let methods: BTreeSet<&str> = series.iter().filter_map(|l| label(l, "method")).collect();
    let routes: BTreeSet<&str> = series.iter().filter_map(|l| label(l, "route")).collect();
    assert_eq!(methods, ["GET", "other"].into_iter().collect(), "{text}");
    assert_eq!(
        routes,
        ["/v1/me", "unmatched"].into_iter().collect(),
        "{text}"
    );
    assert!(series.len() <= 6, "series: {series:#?}");
    let other: u64 = series
        .iter()
        .filter(|l| label(l, "method") == Some("other"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum();
    assert_eq!(other, 200, "every invented method counted as `other`");

    // The listener serves metrics and nothing else.
    let other_path = raw(&metrics_base, Method::GET, "/v1/me", &[]).await;
    assert_eq!(other_path.status, 404);
}
