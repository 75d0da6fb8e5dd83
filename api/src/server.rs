//! `selfserve serve`.

use crate::app::{self, Shared};
use crate::config::Settings;
use crate::state::Clock;
use actix_web::HttpServer;

pub async fn serve(settings: Settings) -> Result<(), String> {
    let started = std::time::Instant::now();
    let state = crate::runtime::state(&settings, Clock::System).map_err(|e| e.to_string())?;
    let backend = state.db.backend();
    let shared = Shared::new(state);
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
    if let Some(workers) = settings.workers {
        server = server.workers(workers);
    }
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        backend = backend.as_str(),
        bind = %settings.bind,
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
    server.run().await.map_err(|e| e.to_string())
}
