use crate::error::{ApiError, Problem};
use crate::startup::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct HealthResponse {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(tag = "health", responses((status = 200, description = "Alive", body = HealthResponse)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(HealthResponse { status: "ok" })
}

/// Readiness: the database answers a query.
#[utoipa::path(tag = "health", responses(
    (status = 200, description = "Ready", body = HealthResponse),
    (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json"),
))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state
        .services
        .db
        .run_as(|conn| {
            persistence::repos::health::ping(conn)
                .map_err(|_| ApiError::UseCase(usecases::Error::Unavailable))
        })
        .await?;
    Ok(HttpResponse::Ok().json(HealthResponse { status: "ready" }))
}

/// Prometheus metrics (text format): requests and latency per route and status,
/// pool connections. Served only on the metrics listener (`SELFSERVE_METRICS_BIND`),
/// so it is not part of the public contract.
pub async fn metrics(
    state: web::Data<AppState>,
    metrics: web::Data<crate::middleware::metrics::Metrics>,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render(state.services.db.pool()))
}
