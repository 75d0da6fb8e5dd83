//! The actix application: every route, the error conventions, Swagger UI.

use crate::config::EdgeSettings;
use crate::error::handlers::path_error;
use crate::handlers::{self, fallback::RouteTable};
use crate::middleware::{self, rate_limit::RateLimits, request_id};
use crate::openapi::{self, ApiDoc};
use crate::startup::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Condition};
use actix_web::{web, App};
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, UtoipaApp};
use utoipa_swagger_ui::{Config, SwaggerUi};

/// Every handler, listed once. `mount` collects the contract from these
/// calls; each worker registers the same list on a plain actix `App`
/// (`build`), because collecting the contract again per worker cost about
/// 20 MiB of short-lived heap each (utoipa clones its maps once per
/// service), which glibc then kept as resident memory (issue #16).
///
/// Grouped by scope (`$scope` is actix's or utoipa-actix-web's `scope`; the
/// handlers' own paths are relative to it): actix tries a request against
/// each resource in turn, a regular expression per path with a parameter,
/// and a scope's fixed prefix rejects its whole group with one comparison.
/// Flat, a single read tried 16 expressions before its own (13 % of its
/// CPU); scoped, a few prefixes and its group's. Fixed paths outside any
/// group stay at the top. A scope answers every path under its prefix, so a
/// route under `/v1/subscriptions` registered outside that scope would never
/// be reached: the security matrix (`tests/tests/security_matrix.rs`) calls
/// every operation of the contract and would get 404 where it expects 401.
macro_rules! every_handler {
    ($app:expr, $scope:path) => {
        $app.service(handlers::health::healthz)
            .service(handlers::health::readyz)
            .service(handlers::me::get_me)
            .service(handlers::invoices::export_invoices_csv)
            .service(
                $scope("/v1/users")
                    .service(handlers::users::list_users)
                    .service(handlers::users::create_user)
                    .service(handlers::users::get_user)
                    .service(handlers::assignments::list_user_licenses),
            )
            .service(
                $scope("/v1/products")
                    .service(handlers::products::list_products)
                    .service(handlers::products::get_product)
                    .service(handlers::products::set_self_service_policy),
            )
            .service(
                $scope("/v1/organization")
                    .service(handlers::organization::get_organization_settings)
                    .service(handlers::organization::update_organization_settings),
            )
            .service(
                $scope("/v1/license-requests")
                    .service(handlers::license_requests::create_license_request)
                    .service(handlers::license_requests::list_license_requests)
                    .service(handlers::license_requests::get_license_request)
                    .service(handlers::license_requests::approve_license_request)
                    .service(handlers::license_requests::deny_license_request),
            )
            .service(
                $scope("/v1/notifications")
                    .service(handlers::notifications::list_notifications)
                    .service(handlers::notifications::read_notification),
            )
            .service(
                $scope("/v1/billing-accounts")
                    .service(handlers::billing::list_billing_accounts)
                    .service(handlers::billing::get_billing_account)
                    .service(handlers::billing::list_billing_profiles)
                    .service(handlers::billing::create_billing_profile),
            )
            .service(
                $scope("/v1/billing-profiles")
                    .service(handlers::billing::get_billing_profile)
                    .service(handlers::billing::update_billing_profile)
                    .service(handlers::billing::replace_default_payment_method),
            )
            .service(
                $scope("/v1/payment-methods")
                    .service(handlers::payment_methods::list_payment_methods)
                    .service(handlers::payment_methods::create_payment_method)
                    .service(handlers::payment_methods::get_payment_method)
                    .service(handlers::payment_methods::update_payment_method)
                    .service(handlers::payment_methods::delete_payment_method),
            )
            .service(
                $scope("/v1/subscriptions")
                    .service(handlers::subscriptions::create_subscription)
                    .service(handlers::subscriptions::list_subscriptions)
                    .service(handlers::subscriptions::get_subscription)
                    .service(handlers::subscriptions::update_subscription)
                    .service(handlers::subscriptions::preview_license_count)
                    .service(handlers::subscriptions::convert_trial)
                    .service(handlers::subscriptions::cancel_subscription)
                    .service(handlers::reactivate::reactivate_subscription)
                    .service(handlers::subscriptions::list_subscription_events)
                    .service(handlers::assignments::assign_licenses)
                    .service(handlers::assignments::unassign_licenses)
                    .service(handlers::assignments::unassign_license)
                    .service(handlers::assignments::list_assignments),
            )
            .service(
                $scope("/v1/admin")
                    .service(handlers::admin::list_admin_subscriptions)
                    .service(handlers::admin::export_admin_subscriptions_csv)
                    .service(handlers::admin::get_admin_subscription)
                    .service(handlers::admin::export_self_service_users_csv)
                    .service(handlers::take_control::take_control)
                    .service(handlers::webhooks::create_webhook_endpoint)
                    .service(handlers::webhooks::list_webhook_endpoints)
                    .service(handlers::webhooks::get_webhook_endpoint)
                    .service(handlers::webhooks::update_webhook_endpoint)
                    .service(handlers::webhooks::delete_webhook_endpoint)
                    .service(handlers::webhooks::rotate_webhook_secret)
                    .service(handlers::webhook_deliveries::list_webhook_deliveries)
                    .service(handlers::webhook_deliveries::redeliver_webhook_delivery),
            )
            .service(
                $scope("/v1/invoices")
                    .service(handlers::invoices::list_invoices)
                    .service(handlers::invoices::get_invoice)
                    .service(handlers::invoices::get_invoice_pdf),
            )
    };
}

/// Mounts every handler; the contract is collected from exactly these calls.
fn mount<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    every_handler!(
        app.openapi(ApiDoc::openapi()),
        utoipa_actix_web::scope::scope
    )
}

/// The OpenAPI document of the real routes (what `selfserve openapi` writes).
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let (_, api) = mount(App::new().into_utoipa_app()).split_for_parts();
    openapi::finish(api)
}

/// Everything built once per process and shared by the workers.
#[derive(Clone)]
pub struct Shared {
    pub state: web::Data<AppState>,
    pub metrics: web::Data<crate::middleware::metrics::Metrics>,
    /// The text `/openapi.json` serves: the committed file itself.
    pub contract: web::Bytes,
    pub routes: web::Data<RouteTable>,
    pub body_schemas: web::Data<crate::extract::shape::BodySchemas>,
    pub rate_limits: web::Data<RateLimits>,
    /// Built into an `actix-cors` middleware per worker (it is not `Send`); empty = no CORS.
    pub cors_origins: std::sync::Arc<[String]>,
}

/// The committed contract, as the build saw it.
const COMMITTED_CONTRACT: &str = include_str!("../../../openapi/openapi.json");

/// The contract the server validates requests with (its route table and
/// body schemas) and serves at `/openapi.json`: the committed
/// `openapi/openapi.json`, parsed, and its text. Collecting it from the
/// handlers (`openapi_document`) takes ~50 ms and a ~35 MiB heap peak that
/// glibc keeps resident, against issue #16's start-to-ready (< 100 ms) and
/// RSS (< 64 MiB) targets; parsing the same JSON takes a few ms, and serving
/// the text as it is needs no copy of the document per worker (Swagger UI's
/// own `/openapi.json` kept one each). The two are the same document: the
/// drift check (`selfserve openapi --check`, run by CI and by
/// `tests/tests/contract.rs`) fails when the file lags the code, and
/// `served_contract_is_the_collected_one` checks the round trip. A file that
/// does not parse (it cannot pass CI) falls back to collecting.
pub fn served_document() -> (utoipa::openapi::OpenApi, web::Bytes) {
    match serde_json::from_str(COMMITTED_CONTRACT) {
        Ok(api) => (api, web::Bytes::from_static(COMMITTED_CONTRACT.as_bytes())),
        Err(e) => {
            tracing::warn!(error = %e, "openapi/openapi.json does not parse; collecting the contract from the handlers");
            let api = openapi_document();
            let text = web::Bytes::from(committed_text(&api));
            (api, text)
        }
    }
}

impl Shared {
    pub fn new(state: AppState, edge: &EdgeSettings) -> Self {
        let (api, contract) = served_document();
        let routes = web::Data::new(RouteTable::from_openapi(&api));
        let body_schemas = web::Data::new(crate::extract::shape::BodySchemas::from_openapi(&api));
        // The metric definitions are fixed and valid: registration cannot fail.
        let metrics =
            crate::middleware::metrics::Metrics::new().unwrap_or_else(|e| panic!("metrics: {e}"));
        Self {
            state: web::Data::new(state),
            metrics: web::Data::new(metrics),
            contract,
            routes,
            body_schemas,
            rate_limits: web::Data::new(RateLimits::new(edge.rate_limits)),
            cors_origins: edge.cors_origins.clone().into(),
        }
    }
}

pub fn build(
    shared: &Shared,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    every_handler!(App::new(), web::scope)
        .app_data(shared.state.clone())
        .app_data(shared.metrics.clone())
        .app_data(shared.routes.clone())
        .app_data(shared.body_schemas.clone())
        .app_data(shared.rate_limits.clone())
        .app_data(web::PathConfig::default().error_handler(path_error))
        .service(contract_document(shared.contract.clone()))
        .service(SwaggerUi::new("/swagger-ui/{_:.*}").config(Config::from("/openapi.json")))
        .default_service(web::to(handlers::fallback::not_found))
        .wrap(from_fn(middleware::conditional::middleware))
        // Outermost last. Problems made inside (404, 405, 413, 414, 431, 429…)
        // pass through CORS, the common headers, metrics and the request id.
        .wrap(from_fn(middleware::head::middleware))
        .wrap(from_fn(middleware::limits::middleware))
        .wrap(Condition::new(
            !shared.cors_origins.is_empty(),
            middleware::cors::cors(&shared.cors_origins),
        ))
        // The fix-up only corrects what `actix-cors` does, so it goes where it goes.
        .wrap(Condition::new(
            !shared.cors_origins.is_empty(),
            from_fn(middleware::cors::fixup),
        ))
        .wrap(from_fn(middleware::headers::middleware))
        .wrap(from_fn(middleware::metrics::middleware))
        .wrap(from_fn(request_id::middleware))
}

/// `GET /openapi.json`: the contract, for Swagger UI and client generators.
fn contract_document(text: web::Bytes) -> actix_web::Resource {
    web::resource("/openapi.json").get(move || {
        let text = text.clone();
        async move {
            actix_web::HttpResponse::Ok()
                .content_type(actix_web::http::header::ContentType::json())
                .body(text)
        }
    })
}

/// The contract as committed in `openapi/openapi.json`: pretty JSON with a final newline.
pub fn openapi_json() -> String {
    committed_text(&openapi_document())
}

/// A document in the committed file's form.
fn committed_text(api: &utoipa::openapi::OpenApi) -> String {
    let mut text = api.to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The server's contract (parsed from the committed file) is the one
    /// collected from the handlers, value for value: what Swagger UI serves,
    /// the route table and the body schemas cannot differ from the code.
    #[test]
    fn served_contract_is_the_collected_one() {
        let (api, text) = served_document();
        let served = serde_json::to_value(api).unwrap();
        let text: serde_json::Value = serde_json::from_slice(&text).unwrap();
        assert_eq!(text, served, "the served text is the parsed document");
        let collected = serde_json::to_value(openapi_document()).unwrap();
        assert!(
            served == collected,
            "openapi/openapi.json lags the code: run `selfserve openapi`"
        );
    }
}
