//! The admins' read-only view of every self-service purchase in the
//! organisation, and the export of who holds licenses through them.

use super::subscriptions::{status_filter, to_dto};
use crate::auth::Caller;
use crate::dto::assignments::AssignmentDto;
use crate::dto::subscriptions::{StatusDto, SubscriptionDto, SubscriptionList};
use crate::error::{answers, ApiError};
use crate::extract::Page;
use crate::extract::{Paged, Query};
use crate::render::csv_export::{self, SelfServiceUserCsvRow, SubscriptionCsvRow};
use crate::startup::state::AppState;
use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use persistence::repos::subscriptions::Filter;
use serde::{Deserialize, Serialize};
use usecases::{assignments, subscriptions as usecase};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminListQuery {
    pub product_id: Option<Uuid>,
    pub purchaser_id: Option<Uuid>,
    pub status: Option<StatusDto>,
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 25)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A subscription with everyone who holds one of its licenses.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminSubscriptionDto {
    #[serde(flatten)]
    pub subscription: SubscriptionDto,
    pub assigned_users: Vec<AssignmentDto>,
}

fn filter(q: &AdminListQuery) -> Filter {
    Filter {
        purchaser: q.purchaser_id.map(Into::into),
        status: q.status.map(status_filter),
        product: q.product_id.map(Into::into),
        source: Some("self_service".to_owned()),
        ..Default::default()
    }
}

/// Every self-service subscription in the organisation, newest first (admins only).
#[utoipa::path(tag = "admin", params(AdminListQuery), responses(
    (status = 200, description = "A page of subscriptions", body = SubscriptionList),
    answers::AdminOnly,
))]
#[get("/subscriptions")]
pub async fn list_admin_subscriptions(
    state: web::Data<AppState>,
    caller: Caller,
    list: Paged<(chrono::NaiveDateTime, String), AdminListQuery>,
) -> Result<web::Json<SubscriptionList>, ApiError> {
    caller.actor().require_admin()?;
    let page = list.page;
    let (views, next_cursor) = usecase::list(
        &state.services,
        caller.actor(),
        filter(&list.filters),
        false,
        page,
    )
    .await?;
    Ok(web::Json(SubscriptionList {
        data: views.iter().map(to_dto).collect::<Result<_, _>>()?,
        next_cursor,
    }))
}

/// One self-service subscription with its assigned users (admins only).
#[utoipa::path(tag = "admin", params(("subscription_id" = Uuid, Path, description = "Subscription id")), responses(
    (status = 200, description = "The subscription and its assignees", body = AdminSubscriptionDto),
    answers::AdminOnly,
))]
#[get("/subscriptions/{subscription_id}")]
pub async fn get_admin_subscription(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<web::Json<AdminSubscriptionDto>, ApiError> {
    caller.actor().require_admin()?;
    let id = path.into_inner().into();
    let view = usecase::get(&state.services, caller.actor(), id).await?;
    let page = Page {
        limit: 10_000,
        after: None,
    };
    let (rows, _) = assignments::list(&state.services, caller.actor(), id, page).await?;
    Ok(web::Json(AdminSubscriptionDto {
        subscription: to_dto(&view)?,
        assigned_users: rows
            .into_iter()
            .map(AssignmentDto::try_from)
            .collect::<Result<_, _>>()?,
    }))
}

/// The same list as CSV, every page at once (admins only).
#[utoipa::path(tag = "admin", params(AdminListQuery), responses(
    (status = 200, description = "CSV (`Content-Disposition: attachment`)", content_type = "text/csv", body = String),
    answers::AdminOnly,
))]
#[get("/subscriptions.csv")]
pub async fn export_admin_subscriptions_csv(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<AdminListQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.actor().require_admin()?;
    Page::<String>::parse(query.limit, None)?;
    let mut rows = Vec::new();
    let mut cursor = query.cursor.clone();
    loop {
        let page = Page::parse(Some(100), cursor.as_deref())?;
        let (views, next) =
            usecase::list(&state.services, caller.actor(), filter(&query), false, page).await?;
        for v in &views {
            let dto = to_dto(v)?;
            rows.push(SubscriptionCsvRow {
                id: dto.id.to_string(),
                product_id: dto.product_id.to_string(),
                product_name: dto.product_name.clone(),
                purchaser_id: dto.purchaser.id.to_string(),
                purchaser_name: dto.purchaser.display_name.clone(),
                status: v.loaded.status.as_str().to_owned(),
                license_count: dto.license_count,
                assigned_count: dto.assigned_count,
                billing_frequency: v.loaded.row.billing_frequency.clone().unwrap_or_default(),
                currency: v.loaded.row.currency.clone(),
                unit_price: dto.unit_price.as_ref().map(|m| m.amount),
                total_price: dto.total_price.as_ref().map(|m| m.amount),
                expires_on: dto
                    .expires_at
                    .map(|d| d.date_naive().to_string())
                    .unwrap_or_default(),
                created_at: dto.created_at.to_rfc3339(),
            });
        }
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    let body = csv_export::subscriptions(&rows).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"self-service-subscriptions.csv\"",
        ))
        .body(body))
}

crate::page_fields!(AdminListQuery);

/// Who holds licenses through members' own purchases (admins only): one row
/// per user and product held through live self-service subscriptions, with
/// every such subscription and its purchaser. Lists inside a cell are joined
/// with `"; "`; text is formula-safe like every CSV.
#[utoipa::path(tag = "admin", responses(
    (status = 200, description = "CSV (`Content-Disposition: attachment`): `user_id`, `display_name`, `email`, `product_id`, `product_name`, `subscription_ids`, `purchaser_names`",
        content_type = "text/csv", body = String,
        example = json!("user_id,display_name,email,product_id,product_name,subscription_ids,purchaser_names\r\n3f0b8d9e-1c2a-4f5b-8e7d-6a5b4c3d2e1f,Carol,carol@example.com,6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01,Contoso CRM,0b6f2b8e-3c55-4b1e-9f67-3a1e6a0f4d21; 5d0c9d43-61c1-4b8f-9a6b-2f7f4b2f9c10,Ada; Bob\r\n")),
    answers::AdminOnly,
))]
#[get("/self-service-users.csv")]
pub async fn export_self_service_users_csv(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let holdings =
        usecases::governance::export::self_service_users(&state.services, caller.actor()).await?;
    let rows: Vec<SelfServiceUserCsvRow> = holdings
        .into_iter()
        .map(|h| SelfServiceUserCsvRow {
            user_id: h.user_id.to_string(),
            display_name: h.display_name,
            email: h.email.unwrap_or_default(),
            product_id: h.product_id.to_string(),
            product_name: h.product_name,
            subscription_ids: h.subscription_ids.iter().map(ToString::to_string).collect(),
            purchaser_names: h.purchaser_names,
        })
        .collect();
    let body = csv_export::self_service_users(&rows).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"self-service-users.csv\"",
        ))
        .body(body))
}
