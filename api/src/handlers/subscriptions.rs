//! Subscriptions: buy or trial, read, change the total, preview, convert, cancel, history.

use crate::auth::Caller;
use crate::dto::common::MoneyDto;
use crate::dto::subscriptions::*;
use crate::error::{answers, ApiError, Problem};
use crate::extract::{IfMatch, JsonBody, Paged};
use crate::idempotency::{Created, Idempotent};
use crate::startup::state::AppState;
use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use domain::subscription::{CancelReason, Feedback, SubscriptionStatus};
use domain::Money;
use persistence::repos::subscriptions::Filter;
use usecases::subscriptions::{self as usecase, change, etag, Names, View};
use uuid::Uuid;

fn midnight(date: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

pub fn to_dto(view: &View) -> Result<SubscriptionDto, ApiError> {
    let l = &view.loaded;
    let r = &l.row;
    let status = match l.status {
        SubscriptionStatus::Trial => StatusDto::Trial,
        SubscriptionStatus::Active => StatusDto::Active,
        SubscriptionStatus::Canceled => StatusDto::Canceled,
        SubscriptionStatus::Expired => StatusDto::Expired,
        SubscriptionStatus::Disabled => StatusDto::Disabled,
        SubscriptionStatus::Deleted => StatusDto::Deleted,
    };
    let assigned = l.assigned();
    let available = if l.status.is_live() {
        r.license_count - assigned
    } else {
        0
    };
    let total = l
        .unit_price
        .and_then(|u| u.checked_mul(r.license_count).ok());
    let live = l.status.is_live();
    let expires_at = match l.status {
        SubscriptionStatus::Trial => r.trial_ends_on.map(midnight),
        _ => r.current_period_end.map(midnight),
    };
    Ok(SubscriptionDto {
        id: r.id.as_uuid(),
        product_id: r.product_id.as_uuid(),
        product_name: view.product_name.clone(),
        purchaser: PurchaserDto {
            id: r.purchaser_id.as_uuid(),
            display_name: view.purchaser_name.clone(),
        },
        source: l.source.into(),
        status,
        is_trial: l.status == SubscriptionStatus::Trial,
        license_count: r.license_count,
        assigned_count: assigned,
        available_count: available,
        billing_frequency: l.frequency.map(|f| match f {
            domain::catalog::BillingFrequency::Monthly => FrequencyDto::Monthly,
            domain::catalog::BillingFrequency::Annual => FrequencyDto::Annual,
        }),
        unit_price: l.unit_price.map(MoneyDto::from),
        total_price: total.map(MoneyDto::from),
        current_period_start: r.current_period_start,
        current_period_end: r.current_period_end,
        expires_at,
        renews_at: if live && r.auto_renew {
            r.current_period_end.map(midnight)
        } else {
            None
        },
        trial_ends_at: r.trial_ends_on.map(midnight),
        auto_renew: r.auto_renew,
        billing_profile_id: r.billing_profile_id.map(|i| i.as_uuid()),
        payment_method_id: r.payment_method_id.map(|i| i.as_uuid()),
        cancellation: match (
            r.cancel_reason
                .as_deref()
                .and_then(|c| c.parse::<CancelReason>().ok()),
            r.canceled_at,
        ) {
            (Some(reason), Some(at)) => Some(CancellationDto {
                reason: reason_dto(reason),
                feedback: r.cancel_feedback.clone(),
                canceled_at: at.and_utc(),
            }),
            _ => None,
        },
        cancel_at: r.cancel_at.map(midnight),
        created_at: r.created_at.and_utc(),
        updated_at: r.updated_at.and_utc(),
    })
}

fn reason_dto(r: CancelReason) -> CancellationReasonDto {
    match r {
        CancelReason::NoLongerNeeded => CancellationReasonDto::NoLongerNeeded,
        CancelReason::TooExpensive => CancellationReasonDto::TooExpensive,
        CancelReason::MissingFeatures => CancellationReasonDto::MissingFeatures,
        CancelReason::SwitchedService => CancellationReasonDto::SwitchedService,
        CancelReason::TooComplex => CancellationReasonDto::TooComplex,
        CancelReason::TechnicalIssues => CancellationReasonDto::TechnicalIssues,
        CancelReason::Other => CancellationReasonDto::Other,
        CancelReason::TakenOverByAdmin => CancellationReasonDto::TakenOverByAdmin,
    }
}

pub fn reason_from(r: CancelReasonDto) -> CancelReason {
    match r {
        CancelReasonDto::NoLongerNeeded => CancelReason::NoLongerNeeded,
        CancelReasonDto::TooExpensive => CancelReason::TooExpensive,
        CancelReasonDto::MissingFeatures => CancelReason::MissingFeatures,
        CancelReasonDto::SwitchedService => CancelReason::SwitchedService,
        CancelReasonDto::TooComplex => CancelReason::TooComplex,
        CancelReasonDto::TechnicalIssues => CancelReason::TechnicalIssues,
        CancelReasonDto::Other => CancelReason::Other,
    }
}

pub fn status_filter(s: StatusDto) -> SubscriptionStatus {
    match s {
        StatusDto::Trial => SubscriptionStatus::Trial,
        StatusDto::Active => SubscriptionStatus::Active,
        StatusDto::Canceled => SubscriptionStatus::Canceled,
        StatusDto::Expired => SubscriptionStatus::Expired,
        StatusDto::Disabled => SubscriptionStatus::Disabled,
        StatusDto::Deleted => SubscriptionStatus::Deleted,
    }
}

/// A change under `Idempotency-Key` answered 200 with the subscription and
/// its ETag (what a replay answers too).
pub fn changed(view: &View) -> Result<Created, ApiError> {
    let mut answer = Created::new(to_dto(view)?, None)?;
    answer.status = actix_web::http::StatusCode::OK;
    answer.etag = Some(etag(&view.loaded.row));
    Ok(answer)
}

fn respond(view: &View) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(&view.loaded.row)))
        .json(to_dto(view)?))
}

/// Buys a subscription, or starts a free trial with `"trial": true`. A purchase
/// is `active` at once, renews automatically and is invoiced for its first period.
/// With `assign_user_ids` the listed members get licenses in the same
/// transaction: everything happens, or (on any refusal) nothing.
#[utoipa::path(tag = "subscriptions",
    params(crate::dto::common::IdempotencyKeyHeader),
    request_body = CreateSubscriptionRequest,
    responses(
        (status = 201, description = "Subscription created (ETag header carries its version)", body = SubscriptionDto),
        (status = 403, description = "`self_service_disabled` or `trials_only` (the product's policy, else the organisation's default, blocks this), `spend_cap_exceeded` (with `cap`, `spent` and `requested`; nothing changed), `spend_cap_currency_mismatch`, or `admin_only` (only admins buy with `\"source\": \"organization\"`)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:selfserve:problem:spend_cap_exceeded", "title": "Spend cap reached", "status": 403, "detail": "this charge of 12.50 would take your spending this month (50.00) above the organisation's cap of 50.00", "code": "spend_cap_exceeded", "cap": {"amount": 5000, "currency": "USD"}, "spent": {"amount": 5000, "currency": "USD"}, "requested": {"amount": 1250, "currency": "USD"}})),
        (status = 409, description = "`trial_already_active` or `idempotency_request_in_progress`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_license_count`, `trial_not_offered`, `trial_license_limit`, `invalid_reference`, `card_expired` (the card is past its expiry month; `field` is `payment_method_id`), `no_users`, `too_many_users` (over 20 in `assign_user_ids`), `duplicate_user_ids`, `users_not_in_organization` (with `user_ids`), `invalid_field` (e.g. more `assign_user_ids` than `license_count`), `unknown_field` or `idempotency_key_reused`; nothing is bought", body = Problem, content_type = "application/problem+json", examples(
            ("users_not_in_organization" = (value = json!({"type": "urn:selfserve:problem:users_not_in_organization", "title": "Users not in organization", "status": 422, "detail": "1 of the users are not members of your organisation", "code": "users_not_in_organization", "field": "assign_user_ids", "user_ids": ["3d6c1a2b-8e4f-4a7d-9c1b-2e5f6a7b8c9d"]}))),
            ("too_many_users" = (value = json!({"type": "urn:selfserve:problem:too_many_users", "title": "Invalid user batch", "status": 422, "detail": "at most 20 users per request, got 21", "code": "too_many_users", "field": "assign_user_ids"}))),
            ("trial_license_limit" = (value = json!({"type": "urn:selfserve:problem:trial_license_limit", "title": "Trial not possible", "status": 422, "detail": "a trial of this product is limited to 25 licenses", "code": "trial_license_limit", "field": "license_count"}))),
        )),
    ))]
#[post("")]
pub async fn create_subscription(
    state: web::Data<AppState>,
    caller: Caller,
    body: Idempotent<CreateSubscriptionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (body, once) = body.into_parts();
    let order = usecase::purchase::validate(&state.services.catalog, body.into())?;
    let (now, tax, names, who, outbox) = (
        state.services.clock.now(),
        state.services.tax_rate_bps,
        Names::from(&state.services),
        caller.actor().clone(),
        state.services.outbox.clone(),
    );
    once.run(&state, &caller, move |conn| {
        let loaded = usecase::purchase::place(conn, &who, &outbox, order, tax, now)?;
        let view = names.view(conn, loaded)?;
        let mut created = Created::new(
            to_dto(&view)?,
            Some(format!("/v1/subscriptions/{}", view.loaded.row.id)),
        )?;
        created.etag = Some(etag(&view.loaded.row));
        Ok(created)
    })
    .await
}

/// The caller's own subscriptions, newest first.
#[utoipa::path(tag = "subscriptions", params(SubscriptionListQuery), responses((status = 200, description = "A page of subscriptions", body = SubscriptionList)))]
#[get("")]
pub async fn list_subscriptions(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    list: Paged<(chrono::NaiveDateTime, String), SubscriptionListQuery>,
) -> Result<HttpResponse, ApiError> {
    let Paged { filters: q, page } = list;
    let filter = Filter {
        status: q.status.map(status_filter),
        product: q.product_id.map(Into::into),
        source: q.source.map(|s| {
            if s == SourceDto::Organization {
                "organization"
            } else {
                "self_service"
            }
            .to_owned()
        }),
        ..Default::default()
    };
    state
        .cached_read(&caller, &request, || async {
            let (views, next_cursor) =
                usecase::list(&state.services, caller.actor(), filter, true, page).await?;
            Ok(HttpResponse::Ok().json(SubscriptionList {
                data: views.iter().map(to_dto).collect::<Result<_, _>>()?,
                next_cursor,
            }))
        })
        .await
}

/// One subscription (its purchaser, or an admin) with a strong `ETag`;
/// `If-None-Match` with the current ETag answers 304 without a body.
#[utoipa::path(tag = "subscriptions", params(("subscription_id" = Uuid, Path, description = "Subscription id"), ("If-None-Match" = Option<String>, Header, description = "ETags the client holds; 304 when one is current")), responses(
    (status = 200, description = "The subscription; `ETag` is its version", body = SubscriptionDto, headers(("ETag" = String, description = "Strong ETag; send it as If-Match to change the subscription"))),
    (status = 304, description = "Not modified: the ETag sent in `If-None-Match` is current", headers(("ETag" = String, description = "The subscription's current strong ETag"))),
))]
#[get("/{subscription_id}")]
pub async fn get_subscription(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    state
        .cached_read(&caller, &request, || async {
            respond(&usecase::get(&state.services, caller.actor(), id).await?)
        })
        .await
}

/// Sets the new **total** license count and/or auto-renew; requires `If-Match`.
/// An increase is invoiced at once, prorated for the rest of the period; a
/// decrease (only down to the assigned count) leaves a prorated credit on the next invoice.
/// With `quote_id` from a preview, the change costs exactly the quoted amount.
#[utoipa::path(tag = "subscriptions",
    params(("subscription_id" = Uuid, Path, description = "Subscription id"), ("If-Match" = String, Header, description = "The ETag from the last read")),
    request_body = UpdateSubscriptionRequest,
    responses(
        (status = 200, description = "The changed subscription", body = SubscriptionDto, headers(("ETag" = String, description = "The subscription's current strong ETag"))),
        (status = 403, description = "`admin_read_only` (admins cannot change another member's purchase) or `spend_cap_exceeded` (an increase whose charge would cross the organisation's monthly cap; with `cap`, `spent`, `requested`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`licenses_in_use` (with `assigned_count`), `already_canceled`, `subscription_not_active`, `quote_expired` (the quote's 15 minutes are over) or `quote_mismatch` (the quote is for another subscription or count, or the subscription changed since; `field` is `quote_id`); nothing changed", body = Problem, content_type = "application/problem+json", examples(
            ("quote_expired" = (value = json!({"type": "urn:selfserve:problem:quote_expired", "title": "Quote expired", "status": 409, "detail": "the quote expired at 2026-03-16 12:15:00 UTC; ask for a new one", "code": "quote_expired", "field": "quote_id"}))),
            ("quote_mismatch" = (value = json!({"type": "urn:selfserve:problem:quote_mismatch", "title": "Quote does not match", "status": 409, "detail": "the subscription changed since the quote; ask for a new one", "code": "quote_mismatch", "field": "quote_id"}))),
            ("licenses_in_use" = (value = json!({"type": "urn:selfserve:problem:licenses_in_use", "title": "Licenses in use", "status": 409, "detail": "7 licenses are assigned; unassign 2 before lowering the total to 5", "code": "licenses_in_use", "assigned_count": 7}))),
        )),
        (status = 412, description = "`precondition_failed`: the ETag is stale; `ETag` carries the current one", body = Problem, content_type = "application/problem+json", headers(("ETag" = String, description = "The subscription's current strong ETag"))),
        (status = 428, description = "`precondition_required`: no If-Match", body = Problem, content_type = "application/problem+json"),
    ))]
#[patch("/{subscription_id}")]
pub async fn update_subscription(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody<UpdateSubscriptionRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let patch = change::Patch {
        license_count: body.license_count,
        auto_renew: body.auto_renew,
        quote_id: body.quote_id.map(Into::into),
    };
    let view = change::update(
        &state.services,
        caller.actor(),
        path.into_inner().into(),
        if_match.0,
        patch,
    )
    .await?;
    respond(&view)
}

/// The price of a new total license count, prorated, with a binding quote
/// (`quote_id`, valid 15 minutes) that a PATCH can apply; nothing else is stored.
#[utoipa::path(tag = "subscriptions", params(("subscription_id" = Uuid, Path, description = "Subscription id")), request_body = PreviewRequest, responses(
    (status = 200, description = "The price change", body = PreviewResponse),
    answers::AdminReadOnly,
    (status = 409, description = "`licenses_in_use`, `already_canceled` or `subscription_not_active`", body = Problem, content_type = "application/problem+json"),
))]
#[post("/{subscription_id}/license-count-preview")]
pub async fn preview_license_count(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: JsonBody<PreviewRequest>,
) -> Result<web::Json<PreviewResponse>, ApiError> {
    let new_total = body.into_inner().license_count;
    let p = change::price(
        &state.services,
        caller.actor(),
        path.into_inner().into(),
        new_total,
    )
    .await?;
    let new_total_price = p
        .loaded
        .unit_price
        .and_then(|u: Money| u.checked_mul(p.new).ok())
        .map(MoneyDto::from);
    Ok(web::Json(PreviewResponse {
        current_license_count: p.current,
        new_license_count: p.new,
        prorated_amount: p.prorated.into(),
        remaining_days: p.remaining_days,
        period_days: p.period_days,
        current_period_end: p.loaded.row.current_period_end,
        new_total_price,
        billing: p.billing.to_owned(),
        quote_id: p.quote_id.as_uuid(),
        quote_expires_at: p.quote_expires_at,
    }))
}

/// Converts a trial to a paid subscription, keeping its id; billing starts today.
#[utoipa::path(tag = "subscriptions",
    params(("subscription_id" = Uuid, Path, description = "Subscription id"), crate::dto::common::IdempotencyKeyHeader),
    request_body = ConvertRequest,
    responses(
        (status = 200, description = "The converted subscription", body = SubscriptionDto, headers(("ETag" = String, description = "The subscription's current strong ETag"))),
        (status = 403, description = "`admin_read_only`, `self_service_disabled`, `trials_only` or `spend_cap_exceeded` (with `cap`, `spent`, `requested`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not_a_trial`, `already_canceled`, `subscription_not_active` or `idempotency_request_in_progress`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`card_expired` (the card is past its expiry month; `field` is `payment_method_id`), `invalid_reference`, `invalid_field`, `unknown_field` or `idempotency_key_reused`", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/{subscription_id}/convert")]
pub async fn convert_trial(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: Idempotent<ConvertRequest>,
) -> Result<HttpResponse, ApiError> {
    let (body, once) = body.into_parts();
    let (now, tax, names, catalog, who, outbox) = (
        state.services.clock.now(),
        state.services.tax_rate_bps,
        Names::from(&state.services),
        state.services.catalog.clone(),
        caller.actor().clone(),
        state.services.outbox.clone(),
    );
    let id = path.into_inner().into();
    once.run(&state, &caller, move |conn| {
        let conversion = body.into();
        let loaded =
            usecase::purchase::convert(conn, &who, &outbox, &catalog, id, conversion, tax, now)?;
        changed(&names.view(conn, loaded)?)
    })
    .await
}

/// Cancels with a reason. At once (the default): every license is released
/// and the unused part of the period is credited (all of it within 7 days of
/// the purchase). With `"at_period_end": true`: the subscription stays
/// `active` until its period ends, with `cancel_at` set and auto-renew off,
/// nothing is credited, and the billing run cancels it then (no grace);
/// `PATCH {"auto_renew": true}` before then undoes it. `If-Match` is
/// honoured when sent.
#[utoipa::path(tag = "subscriptions",
    params(("subscription_id" = Uuid, Path, description = "Subscription id"), ("If-Match" = Option<String>, Header, description = "Optional ETag guard")),
    request_body = CancelRequest,
    responses(
        (status = 200, description = "The canceled subscription", body = SubscriptionDto, headers(("ETag" = String, description = "The subscription's current strong ETag"))),
        answers::AdminReadOnly,
        (status = 409, description = "`already_canceled`, `subscription_not_active` (expired or disabled) or `subscription_deleted`", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`precondition_failed`: the If-Match ETag is stale; `ETag` carries the current one", body = Problem, content_type = "application/problem+json", headers(("ETag" = String, description = "The subscription's current strong ETag"))),
        (status = 422, description = "`invalid_field` (`at_period_end` on a trial, which has no paid period; or bad `feedback`) or `unknown_field`", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/{subscription_id}/cancel")]
pub async fn cancel_subscription(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody<CancelRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let feedback = Feedback::parse_optional(body.feedback.as_deref())
        .map_err(|e| ApiError::invalid_field("feedback", e))?;
    let reason = reason_from(body.reason);
    let effective = if body.at_period_end {
        usecase::cancel::Effective::AtPeriodEnd
    } else {
        usecase::cancel::Effective::Now
    };
    let view = usecase::cancel::cancel(
        &state.services,
        caller.actor(),
        path.into_inner().into(),
        if_match.0,
        reason,
        feedback,
        effective,
    )
    .await?;
    respond(&view)
}

/// The subscription's audit history, oldest first (its purchaser and admins).
#[utoipa::path(tag = "subscriptions", params(("subscription_id" = Uuid, Path, description = "Subscription id"), crate::dto::common::PageParams), responses(
    (status = 200, description = "Events", body = EventList),
))]
#[get("/{subscription_id}/events")]
pub async fn list_subscription_events(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    list: Paged<(chrono::NaiveDateTime, String)>,
) -> Result<web::Json<EventList>, ApiError> {
    let page = list.page;
    let (rows, next_cursor) = usecase::events::list(
        &state.services,
        caller.actor(),
        path.into_inner().into(),
        page,
    )
    .await?;
    Ok(web::Json(EventList {
        data: rows
            .into_iter()
            .map(|r| {
                Ok(EventDto {
                    id: r.id.as_uuid(),
                    action: r.action,
                    actor_id: r.actor_id.map(|i| i.as_uuid()),
                    occurred_at: r.occurred_at.and_utc(),
                    before: r.before_state.and_then(|s| serde_json::from_str(&s).ok()),
                    after: r.after_state.and_then(|s| serde_json::from_str(&s).ok()),
                })
            })
            .collect::<Result<_, ApiError>>()?,
        next_cursor,
    }))
}
