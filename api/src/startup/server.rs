//! `selfserve serve`: the API listener, the metrics listener, the
//! billing-run timer and the delivery worker.

use crate::config::Settings;
use crate::startup::app::{self, Shared};
use actix_web::{web, App, HttpServer};
use std::net::SocketAddr;
use usecases::Clock;

pub async fn serve(settings: Settings) -> Result<(), String> {
    let started = std::time::Instant::now();
    let state =
        crate::startup::runtime::state(&settings, Clock::System).map_err(|e| e.to_string())?;
    let backend = state.services.db.backend();
    // Before listening, so the first tokens find the provider's keys held.
    state.verifier.prime().await;
    let shared = Shared::new(state, &settings.edge);
    let factory_shared = shared.clone();
    let mut server = HttpServer::new(move || app::build(&factory_shared))
        .shutdown_timeout(10)
        .bind(settings.bind)
        .map_err(|e| {
            format!(
                "configuration error: SELFSERVE_BIND: cannot listen on {}: {e}",
                settings.bind
            )
        })?;
    let metrics = match settings.edge.metrics_bind {
        Some(bind) => {
            let (server, addr) = metrics_server(&shared, bind).map_err(|e| {
                format!("configuration error: SELFSERVE_METRICS_BIND: cannot listen on {bind}: {e}")
            })?;
            let handle = server.handle();
            actix_web::rt::spawn(server);
            Some((handle, addr))
        }
        None => None,
    };
    spawn_billing_run(&shared, settings.billing_interval);
    let deliveries = crate::startup::worker::spawn(shared.state.clone());
    // Each blocking task holds or waits for a pooled connection, so a worker
    // needs no more blocking threads than its share of the pool (plus one for
    // work that waits on the pool). actix's default, 512 / cores, let 64
    // waiting requests grow ~96 threads and their malloc arenas: 75 MiB RSS
    // on PostgreSQL (bench/README.md, finding 6).
    let workers = settings
        .workers
        .unwrap_or(persistence::cores() as usize)
        .max(1);
    let blocking = (settings.pool.max_size as usize).div_ceil(workers) + 1;
    server = server
        .workers(workers)
        .worker_max_blocking_threads(blocking);
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        backend = backend.as_str(),
        bind = %settings.bind,
        metrics = %metrics.as_ref().map_or("off".to_owned(), |(_, addr)| addr.to_string()),
        startup_ms = started.elapsed().as_millis() as u64,
        "selfserve listening"
    );
    eprintln!(
        "selfserve {} on {} ({}) — Swagger UI: http://{}/swagger-ui/ — mint a token: selfserve token --org <uuid> --user <uuid> [--admin]",
        env!("CARGO_PKG_VERSION"),
        settings.bind,
        backend.as_str(),
        settings.bind
    );
    if let Some((_, addr)) = &metrics {
        eprintln!("selfserve metrics on http://{addr}/metrics");
    }
    let result = server.run().await.map_err(|e| e.to_string());
    // The HTTP server has drained (SIGTERM); now the delivery worker.
    deliveries
        .shutdown(crate::startup::worker::SHUTDOWN_GRACE)
        .await;
    if let Some((handle, _)) = metrics {
        handle.stop(true).await;
    }
    result
}

/// The Prometheus listener: `GET /metrics` and nothing else, apart from the
/// public API so that scrapes stay on an internal address. One worker is
/// plenty for a scrape every few seconds.
pub fn metrics_server(
    shared: &Shared,
    bind: SocketAddr,
) -> std::io::Result<(actix_web::dev::Server, SocketAddr)> {
    let state = shared.state.clone();
    let metrics = shared.metrics.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(metrics.clone())
            .route("/metrics", web::get().to(crate::handlers::health::metrics))
    })
    .workers(1)
    .disable_signals()
    .bind(bind)?;
    let addr = server.addrs().first().copied().unwrap_or(bind);
    Ok((server.run(), addr))
}

/// The periodic billing run inside the server. Several replicas may run it at
/// once: each renewal is guarded by the database, so nothing happens twice.
fn spawn_billing_run(shared: &Shared, interval: std::time::Duration) {
    if interval.is_zero() {
        return;
    }
    let state = shared.state.clone();
    actix_web::rt::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        loop {
            ticker.tick().await;
            let now = state.services.clock.now();
            let (tax, outbox) = (state.services.tax_rate_bps, state.services.outbox.clone());
            let result = state
                .services
                .db
                .run_as(move |conn| {
                    usecases::subscriptions::billing_run::run(
                        conn,
                        &outbox,
                        now.date_naive(),
                        tax,
                        now,
                    )
                })
                .await;
            match result {
                Ok(report) => tracing::info!(?report, "billing run"),
                Err(e) => {
                    tracing::warn!(error = %e, "billing run failed; retrying at the next interval")
                }
            }
        }
    });
}
