use crate::dto::common::MoneyDto;
use actix_web::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

/// An RFC 9457 problem document. `code` is stable and machine-readable;
/// extension members appear only for the errors that define them.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:selfserve:problem:not_enough_licenses",
    "title": "Not enough licenses",
    "status": 409,
    "detail": "3 licenses requested but only 2 are available",
    "code": "not_enough_licenses",
    "available": 2,
    "requested": 3,
    "request_id": "5b0f6f0e-2a53-4b3e-9a0e-2b8f2d7f1e11"
}))]
pub struct Problem {
    /// A URI naming the problem type: `urn:selfserve:problem:<code>`.
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable, snake_case error code.
    pub code: String,
    /// The request id (also in the `X-Request-Id` response header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The request body field at fault (JSON path), for body validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The query or path parameter at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// Methods the path accepts, with 405.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow: Option<Vec<String>>,
    /// Licenses still free, with `not_enough_licenses`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available: Option<i64>,
    /// Licenses asked for, with `not_enough_licenses`; the charge, with `spend_cap_exceeded`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested: Option<Requested>,
    /// The organisation's monthly cap per purchaser, with `spend_cap_exceeded`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap: Option<MoneyDto>,
    /// The purchaser's net charges this calendar month (UTC), with `spend_cap_exceeded`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spent: Option<MoneyDto>,
    /// Where the organisation takes license requests, with `license_requests_external`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Licenses currently assigned, with `licenses_in_use`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_count: Option<i64>,
    /// Users at fault, with `users_not_in_organization`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_ids: Option<Vec<String>>,
    /// The existing resource, with duplicate errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_id: Option<String>,
}

/// What was asked for: a number of licenses, or an amount of money.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Requested {
    #[schema(example = 3)]
    Licenses(i64),
    Money(MoneyDto),
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, title: &str, detail: String) -> Self {
        Self {
            type_uri: format!("urn:selfserve:problem:{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            code: code.to_owned(),
            request_id: None,
            field: None,
            parameter: None,
            allow: None,
            available: None,
            requested: None,
            cap: None,
            spent: None,
            url: None,
            assigned_count: None,
            user_ids: None,
            existing_id: None,
        }
    }
}
