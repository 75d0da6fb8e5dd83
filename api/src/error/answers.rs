//! Problem answers that several operations document in the same words, as
//! utoipa `IntoResponses`: an annotation lists `answers::AdminOnly` instead of
//! repeating the row. What every operation answers (401, 404 on a path, 422
//! on a body, 429, 500, 503) is added by `openapi::finish`; answers whose
//! codes differ per operation (most 409s and 422s) stay as rows next to
//! their handler, where they say exactly which codes that operation gives.

use super::Problem;
use utoipa::IntoResponses;

/// 403 `admin_only`, for operations only admins may call.
#[derive(IntoResponses)]
#[response(
    status = 403,
    description = "`admin_only`: the caller is not an admin",
    content_type = "application/problem+json"
)]
pub struct AdminOnly(pub Problem);

/// 403 `admin_read_only`: admins see every member's purchases but change only their own.
#[derive(IntoResponses)]
#[response(
    status = 403,
    description = "`admin_read_only`",
    content_type = "application/problem+json"
)]
pub struct AdminReadOnly(pub Problem);

/// 404 `not_found` for a product id the catalog does not hold.
#[derive(IntoResponses)]
#[response(
    status = 404,
    description = "`not_found`: no such product",
    content_type = "application/problem+json"
)]
pub struct ProductNotFound(pub Problem);
