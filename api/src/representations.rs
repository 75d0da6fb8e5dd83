//! The outbox's [`Representations`]: an event's `data` is the resource as
//! this API shows it, so it is made by the same DTO conversions the
//! handlers answer with.

use crate::dto::events::{LicensesEventData, SeatsEventData};
use crate::dto::governance::{LicenseRequestDto, TakeControlResponse};
use crate::dto::payment_methods::PaymentMethodDto;
use crate::dto::webhooks::WebhookEndpointDto;
use crate::error::ApiError;
use crate::handlers::{invoices, subscriptions};
use chrono::NaiveDate;
use domain::UserId;
use persistence::rows::PaymentMethodRow;
use serde::Serialize;
use serde_json::Value;
use usecases::governance::license_requests::RequestView;
use usecases::invoices::Invoice;
use usecases::subscriptions::View;
use usecases::webhooks::endpoints::Endpoint;
use usecases::{Error, Representations};
use uuid::Uuid;

pub struct ApiRepresentations;

fn json<T: Serialize>(dto: Result<T, ApiError>) -> Result<Value, Error> {
    let dto = dto.map_err(|e| Error::internal(format!("event data: {e}")))?;
    serde_json::to_value(dto).map_err(|e| Error::internal(format!("event data: {e}")))
}

fn uuids(users: &[UserId]) -> Vec<Uuid> {
    users.iter().map(UserId::as_uuid).collect()
}

impl Representations for ApiRepresentations {
    fn subscription(&self, view: &View) -> Result<Value, Error> {
        json(subscriptions::to_dto(view))
    }

    fn licenses(&self, view: &View, user_ids: &[UserId]) -> Result<Value, Error> {
        json(
            subscriptions::to_dto(view).map(|subscription| LicensesEventData {
                subscription,
                user_ids: uuids(user_ids),
            }),
        )
    }

    fn taken_over(&self, view: &View, moved: &[UserId]) -> Result<Value, Error> {
        json(
            subscriptions::to_dto(view).map(|subscription| TakeControlResponse {
                subscription,
                moved_user_ids: uuids(moved),
            }),
        )
    }

    fn seats(&self, view: &View, threshold: u8) -> Result<Value, Error> {
        json(
            subscriptions::to_dto(view).map(|subscription| SeatsEventData {
                subscription,
                threshold,
            }),
        )
    }

    fn license_request(&self, view: &RequestView) -> Result<Value, Error> {
        json(Ok(LicenseRequestDto::from(view)))
    }

    fn invoice(&self, invoice: &Invoice) -> Result<Value, Error> {
        json(invoices::to_dto(invoice))
    }

    fn payment_method(&self, card: &PaymentMethodRow, today: NaiveDate) -> Result<Value, Error> {
        json(PaymentMethodDto::new(card.clone(), today))
    }

    fn webhook_endpoint(&self, endpoint: &Endpoint) -> Result<Value, Error> {
        json(Ok(WebhookEndpointDto::from(endpoint)))
    }
}
