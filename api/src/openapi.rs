//! The contract: paths come from the mounted handlers (utoipa-actix-web);
//! this module adds what is true of every operation, so that no handler can
//! forget it: bearer security and 401, 500, 503, and the body and parameter
//! errors every JSON body or query string can produce.

use crate::dto::events::{LicensesEventData, SeatsEventData};
use crate::error::Problem;

pub mod events;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as OpenApiDoc, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "selfserve",
        description = "Self-service purchases of software subscriptions inside an organisation.\n\n\
            Conventions: JSON with snake_case fields; ids are UUIDs; timestamps RFC 3339 UTC; dates YYYY-MM-DD. \
            Money is `{\"amount\": <integer minor units>, \"currency\": \"<ISO 4217>\"}`, never floats. \
            Errors are RFC 9457 `application/problem+json` with a stable `code`. \
            Lists take `limit` (1–100, default 25) and an opaque `cursor`, and answer `{\"data\": [...], \"next_cursor\": ...}`. \
            Request bodies are limited to 64 KiB and reject unknown fields; URLs to 8 KiB (414 `uri_too_long`) and request headers to 16 KiB (431 `request_header_too_large`). \
            Every `GET` also answers `HEAD`. Writes are rate limited per user (429 `rate_limited` with `Retry-After`). \
            Browsers on the origins in `SELFSERVE_CORS_ORIGINS` may call the API (CORS).",
        version = env!("CARGO_PKG_VERSION"),
        license(name = "MIT", identifier = "MIT"),
    ),
    components(schemas(Problem, LicensesEventData, SeatsEventData)),
    modifiers(&Conventions),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "me", description = "The caller"),
        (name = "users", description = "The organisation's directory"),
        (name = "products", description = "Catalog and self-service policy"),
        (name = "billing", description = "Billing accounts and billing profiles"),
        (name = "subscriptions", description = "Buy, trial, convert, change the total license count, cancel"),
        (name = "assignments", description = "Assign licenses to up to 20 colleagues at once"),
        (name = "invoices", description = "Invoices by period, as JSON, CSV and PDF"),
        (name = "admin", description = "Admins' view of every self-service purchase, taking control of one, and the export of who holds self-service licenses"),
        (name = "organization", description = "Organisation settings: the default self-service policy, license requests, the monthly spend cap"),
        (name = "license requests", description = "Members ask the organisation for licenses; admins approve (all or some) or deny"),
        (name = "notifications", description = "In-app notifications: what happened that concerns you (purchases and requests for admins; take-overs, lifecycle changes, expiring cards and seat use for purchasers; decisions for requesters)"),
        (name = "payment methods", description = "Cards: only brand, last four, expiry, holder, address and a keyed fingerprint are kept"),
        (name = "webhooks", description = "Admins' webhook endpoints, and the events the service POSTs to them (PRODUCT.md §8): every event POSTed as JSON, signed with `Selfserve-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<raw body>\")>` (one `v1=` per active secret), retried with backoff for 3 days; each attempt logged; at least once, so dedupe by `Selfserve-Event-Id`"),
    )
)]
pub struct ApiDoc;

pub const BEARER: &str = "bearer";

struct Conventions;

impl Modify for Conventions {
    fn modify(&self, api: &mut OpenApiDoc) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("A JWT with `iss`, `aud`, `exp`, `sub` (user id) and `tid` (organisation id); `roles: [\"admin\"]` marks an admin. `selfserve token` mints one locally."))
                    .build(),
            ),
        );
    }
}

/// Request bodies that are internally tagged enums (`#[serde(tag = ..)]`):
/// serde refuses unknown fields in each variant, which utoipa does not write
/// down for enum variants, so the contract says it here.
const TAGGED_REQUEST_BODIES: [&str; 1] = ["TakeControlRequest"];

fn close_tagged_variants(api: &mut OpenApiDoc) {
    use utoipa::openapi::schema::{AdditionalProperties, Schema};
    let Some(components) = api.components.as_mut() else {
        return;
    };
    for name in TAGGED_REQUEST_BODIES {
        if let Some(RefOr::T(Schema::OneOf(one_of))) = components.schemas.get_mut(name) {
            for variant in one_of.items.iter_mut() {
                if let RefOr::T(Schema::Object(object)) = variant {
                    object.additional_properties =
                        Some(Box::new(AdditionalProperties::FreeForm(false)));
                }
            }
        }
    }
}

/// Applies the conventions to every operation of the document produced by the app.
pub fn finish(mut api: OpenApiDoc) -> OpenApiDoc {
    close_tagged_variants(&mut api);
    events::add(&mut api);
    for (path, item) in api.paths.paths.iter_mut() {
        let secured = path.starts_with("/v1/");
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            complete_operation(op, secured);
        }
    }
    api
}

fn complete_operation(op: &mut Operation, secured: bool) {
    let has_body = op.request_body.is_some();
    let has_query = op.parameters.as_ref().is_some_and(|ps| {
        ps.iter()
            .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query))
    });
    let has_path = op.parameters.as_ref().is_some_and(|ps| {
        ps.iter()
            .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Path))
    });
    let idempotent = op.parameters.as_ref().is_some_and(|ps| {
        ps.iter()
            .any(|p| matches!(p, RefOr::T(p) if p.name == crate::idempotency::HEADER))
    });
    if idempotent {
        add(op, "409", "`idempotency_request_in_progress`: a request with this Idempotency-Key is still running");
        add(op, "422", "`idempotency_key_reused`: this Idempotency-Key was used with another body; or the body is invalid");
    }
    if secured {
        op.security = Some(vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]);
        add(
            op,
            "401",
            "`unauthorized`: missing, malformed, expired or otherwise invalid bearer token",
        );
        add(op, "503", "`database_unavailable`: the database cannot be reached; retry after `Retry-After` seconds");
        add_rate_limited(op);
    }
    if has_path {
        add(
            op,
            "404",
            "`not_found`: no such resource in the caller's organisation",
        );
    }
    if has_body {
        add(op, "400", "`malformed_json`: the body is not valid JSON");
        add(op, "413", "`payload_too_large`: the body exceeds 64 KiB");
        add(
            op,
            "415",
            "`unsupported_media_type`: the body is not `application/json`",
        );
        add(op, "422", "`unknown_field` or `invalid_field`: the body does not fit the schema; `field` names the field");
    } else if has_query {
        add(
            op,
            "422",
            "`invalid_parameter`: a query parameter is invalid; `parameter` names it",
        );
    }
    add(
        op,
        "500",
        "`internal_error`: an unexpected error; the body carries only the request id",
    );
}

fn add(op: &mut Operation, status: &str, description: &str) {
    if op.responses.responses.contains_key(status) {
        return;
    }
    op.responses
        .responses
        .insert(status.to_owned(), RefOr::T(problem_response(description)));
}

/// 429 with its `Retry-After` header, which clients must honour.
fn add_rate_limited(op: &mut Operation) {
    let mut response = problem_response("`rate_limited`: too many requests from this user (writes by default, reads when configured); retry after `Retry-After` seconds");
    let seconds = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1));
    response.headers.insert(
        "Retry-After".to_owned(),
        HeaderBuilder::new()
            .schema(Some(seconds))
            .description(Some("Whole seconds to wait before retrying"))
            .build()
            .into(),
    );
    op.responses
        .responses
        .entry("429".to_owned())
        .or_insert(RefOr::T(response));
}

fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            Content::new(Some(Ref::from_schema_name("Problem"))),
        )
        .build()
}
