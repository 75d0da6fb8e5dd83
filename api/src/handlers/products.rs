use crate::auth::Caller;
use crate::dto::products::{PolicyRequest, ProductDto, ProductList};
use crate::error::{answers, ApiError};
use crate::extract::{JsonBody, Paged};
use crate::startup::state::AppState;

use actix_web::{get, put, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductListQuery {
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 25)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The catalog, with this organisation's self-service policy for each product.
#[utoipa::path(tag = "products", params(ProductListQuery), responses((status = 200, description = "Products", body = ProductList)))]
#[get("")]
pub async fn list_products(
    state: web::Data<AppState>,
    caller: Caller,
    list: Paged<usize, ProductListQuery>,
) -> Result<web::Json<ProductList>, ApiError> {
    let page = list.page;
    let (items, next_cursor) =
        usecases::products::list(&state.services, caller.actor(), page).await?;
    Ok(web::Json(ProductList {
        data: items
            .iter()
            .map(|(p, policy)| ProductDto::new(p, *policy))
            .collect(),
        next_cursor,
    }))
}

/// One product with this organisation's self-service policy.
#[utoipa::path(tag = "products", params(("product_id" = Uuid, Path, description = "Product id")), responses(
    (status = 200, description = "The product", body = ProductDto),
    answers::ProductNotFound,
))]
#[get("/{product_id}")]
pub async fn get_product(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<web::Json<ProductDto>, ApiError> {
    let (product, policy) =
        usecases::products::get(&state.services, caller.actor(), path.into_inner().into()).await?;
    Ok(web::Json(ProductDto::new(&product, policy)))
}

/// Sets the organisation's self-service policy for a product (admins only).
/// It applies to new purchases and trials; existing subscriptions are untouched.
#[utoipa::path(tag = "products", params(("product_id" = Uuid, Path, description = "Product id")), request_body = PolicyRequest, responses(
    (status = 200, description = "The product with its new policy", body = ProductDto),
    answers::AdminOnly,
    answers::ProductNotFound,
))]
#[put("/{product_id}/self-service-policy")]
pub async fn set_self_service_policy(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: JsonBody<PolicyRequest>,
) -> Result<web::Json<ProductDto>, ApiError> {
    let policy = body.into_inner().policy.into();
    let (product, policy) = usecases::products::set_policy(
        &state.services,
        caller.actor(),
        path.into_inner().into(),
        policy,
    )
    .await?;
    Ok(web::Json(ProductDto::new(&product, policy)))
}

crate::page_fields!(ProductListQuery);
