use crate::auth::Caller;
use crate::dto::users::{CreateUserRequest, UserDto, UserList, UserListQuery};
use crate::error::{answers, ApiError, Problem};
use crate::extract::Paged;
use crate::idempotency::{Created, Idempotent};
use crate::startup::state::AppState;

use actix_web::{get, post, web, HttpResponse};
use uuid::Uuid;

/// The organisation's directory, in name order; `search` matches a name or e-mail prefix.
#[utoipa::path(tag = "users", params(UserListQuery), responses((status = 200, description = "A page of members", body = UserList)))]
#[get("")]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
    list: Paged<(String, String), UserListQuery>,
) -> Result<web::Json<UserList>, ApiError> {
    let page = list.page;
    let (users, next_cursor) =
        usecases::users::list(&state.services, caller.actor(), list.filters.search, page).await?;
    Ok(web::Json(UserList {
        data: users.into_iter().map(UserDto::from).collect(),
        next_cursor,
    }))
}

/// Adds a member ahead of their first sign-in (admins only). When they sign
/// in with a token carrying the same e-mail, the token's subject is linked to them.
#[utoipa::path(tag = "users",
    params(crate::dto::common::IdempotencyKeyHeader),
    request_body = CreateUserRequest, responses(
    (status = 201, description = "Member added", body = UserDto),
    answers::AdminOnly,
    (status = 409, description = "`email_taken`: a member with this e-mail exists", body = Problem, content_type = "application/problem+json"),
))]
#[post("")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    body: Idempotent<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let (body, once) = body.into_parts();
    let member = usecases::users::validate_new(caller.actor(), &body.display_name, &body.email)?;
    let now = state.services.clock.now();
    let who = caller.actor().clone();
    once.run(&state, &caller, move |conn| {
        let user = usecases::users::add(conn, &who, member, now)?;
        let location = format!("/v1/users/{}", user.id);
        Created::new(UserDto::from(user), Some(location))
    })
    .await
}

/// One member of the caller's organisation.
#[utoipa::path(tag = "users", params(("user_id" = Uuid, Path, description = "User id")), responses(
    (status = 200, description = "The member", body = UserDto),
    (status = 404, description = "`not_found`: no such member in this organisation", body = Problem, content_type = "application/problem+json"),
))]
#[get("/{user_id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<web::Json<UserDto>, ApiError> {
    let user =
        usecases::users::get(&state.services, caller.actor(), path.into_inner().into()).await?;
    Ok(web::Json(user.into()))
}
