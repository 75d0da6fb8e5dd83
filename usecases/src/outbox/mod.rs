//! The outbox (PRODUCT.md §8): every business change records its event —
//! `{"id", "type", "created_at", "organization_id", "data"}`, where `data` is
//! the resource as the API shows it after the change — and the in-app
//! notifications it causes, in the transaction of the change itself: no
//! event without the change, no change without its event. Delivery
//! (webhooks, e-mail) reads them later; nothing here sets `dispatched_at`.
//!
//! How a resource looks in the API is the API's business (its DTOs), so it is
//! injected: [`Representations`], implemented by the `api` crate.

mod cards;

pub use cards::announce_expiring_cards;
mod notices;
mod seats;

use crate::error::Error;
use crate::governance::license_requests::{self, RequestView};
use crate::invoices::Invoice;
use crate::subscriptions::{Loaded, Names, View};
use crate::webhooks::endpoints::Endpoint;
use crate::Actor;
use chrono::{DateTime, NaiveDate, Utc};
use domain::catalog::Catalog;
use domain::event::EventType;
use domain::governance::LicenseRequest;
use domain::ids::NotificationId;
use domain::notification::{self, Audience, Facts};
use domain::subscription::SubscriptionSource;
use domain::{EventId, OrganizationId, SubscriptionId, UserId};
use persistence::repos::subscriptions::Named;
use persistence::repos::{announced, events, notifications, subscriptions, users};
use persistence::rows::{
    EventRow, InvoiceLineRow, InvoiceRow, NotificationRow, PaymentMethodRow, SubscriptionRow,
};
use persistence::DbConnection;
use serde_json::Value;
use std::sync::Arc;

/// The resources as the API shows them: each method answers the JSON the
/// API would answer with (the `data` of an event).
pub trait Representations: Send + Sync {
    fn subscription(&self, view: &View) -> Result<Value, Error>;
    /// `licenses.assigned` / `licenses.unassigned`: the subscription and the users affected.
    fn licenses(&self, view: &View, user_ids: &[UserId]) -> Result<Value, Error>;
    /// `subscription.taken_over`: the take-control answer.
    fn taken_over(&self, view: &View, moved: &[UserId]) -> Result<Value, Error>;
    /// `seats.threshold_reached`: the subscription and the threshold (80 or 100).
    fn seats(&self, view: &View, threshold: u8) -> Result<Value, Error>;
    fn license_request(&self, view: &RequestView) -> Result<Value, Error>;
    fn invoice(&self, invoice: &Invoice) -> Result<Value, Error>;
    fn payment_method(&self, card: &PaymentMethodRow, today: NaiveDate) -> Result<Value, Error>;
    /// `webhook_endpoint.disabled`: the endpoint as admins read it (never its secret).
    fn webhook_endpoint(&self, endpoint: &Endpoint) -> Result<Value, Error>;
}

/// Who made a change, in which organisation, and when.
#[derive(Clone, Copy, Debug)]
pub struct Origin {
    pub organization_id: OrganizationId,
    /// `None`: the system (the billing run).
    pub actor: Option<UserId>,
    pub at: DateTime<Utc>,
}

impl Origin {
    pub fn of(caller: &Actor, at: DateTime<Utc>) -> Self {
        Self {
            organization_id: caller.organization_id,
            actor: Some(caller.user_id),
            at,
        }
    }

    pub fn system(organization_id: OrganizationId, at: DateTime<Utc>) -> Self {
        Self {
            organization_id,
            actor: None,
            at,
        }
    }
}

/// Records events and their notifications; cheap to clone into a blocking closure.
#[derive(Clone)]
pub struct Outbox {
    shapes: Arc<dyn Representations>,
    names: Names,
    catalog: Arc<Catalog>,
}

impl Outbox {
    pub fn new(shapes: Arc<dyn Representations>, catalog: Arc<Catalog>) -> Self {
        Self {
            shapes,
            names: Names::new(catalog.clone()),
            catalog,
        }
    }

    /// A change of subscription `id`: the subscription as it reads now.
    pub fn subscription(
        &self,
        conn: &mut DbConnection,
        origin: &Origin,
        kind: EventType,
        id: SubscriptionId,
    ) -> Result<(), Error> {
        let view = self.view(conn, origin, id)?;
        let first_trial = kind == EventType::SubscriptionTrialStarted
            && !announced::another_trial_started(
                conn,
                origin.organization_id,
                view.loaded.row.product_id,
                id,
            )?;
        let data = self.shapes.subscription(&view)?;
        let facts = Facts {
            first_trial_of_product: first_trial,
            ..facts_of(&view, origin)
        };
        self.record(conn, origin, kind, data, facts, || {
            notices::subscription(kind, &view)
        })
    }

    /// Licenses of subscription `id` given to (or taken from) `users`, and the
    /// seat threshold that change may have crossed ([`Outbox::seats`]): both
    /// from one read of the subscription.
    pub fn licenses(
        &self,
        conn: &mut DbConnection,
        origin: &Origin,
        kind: EventType,
        id: SubscriptionId,
        users: &[UserId],
    ) -> Result<(), Error> {
        let view = self.view(conn, origin, id)?;
        self.licenses_of(conn, origin, kind, &view, users)
    }

    /// [`Outbox::licenses`] for a change whose caller holds the subscription's
    /// lock and so knows it after the change (`after`): nothing to read.
    pub fn licenses_after(
        &self,
        conn: &mut DbConnection,
        origin: &Origin,
        kind: EventType,
        (row, purchaser): Named,
        users: &[UserId],
    ) -> Result<(), Error> {
        let view = self.named(row, purchaser, origin)?;
        self.licenses_of(conn, origin, kind, &view, users)
    }

    fn licenses_of(
        &self,
        conn: &mut DbConnection,
        origin: &Origin,
        kind: EventType,
        view: &View,
        users: &[UserId],
    ) -> Result<(), Error> {
        let data = self.shapes.licenses(view, users)?;
        let facts = facts_of(view, origin);
        self.record(conn, origin, kind, data, facts, || {
            notices::subscription(kind, view)
        })?;
        self.seats_of(conn, origin, view)
    }

    /// An admin took control of subscription `id`; `moved` went to the target.
    pub fn taken_over(
        &self,
        conn: &mut DbConnection,
        origin: &Origin,
        id: SubscriptionId,
        moved: &[UserId],
    ) -> Result<(), Error> {
        let kind = EventType::SubscriptionTakenOver;
        let view = self.view(conn, origin, id)?;
        let data = self.shapes.taken_over(&view, moved)?;
        let facts = facts_of(&view, origin);
        self.record(conn, origin, kind, data, facts, || {
            notices::subscription(kind, &view)
        })
    }

    /// A license request filed or decided.
    pub fn license_request(
        &self,
        conn: &mut DbConnection,
        origin: &Origin,
        kind: EventType,
        request: &LicenseRequest,
    ) -> Result<(), Error> {
        let view = license_requests::view(&self.catalog, request.clone());
        let data = self.shapes.license_request(&view)?;
        let facts = Facts {
            actor: origin.actor,
            owner: Some(request.requester_id()),
            ..Facts::default()
        };
        self.record(conn, origin, kind, data, facts, || {
            notices::license_request(kind, &view)
        })
    }

    /// An invoice just issued (any: purchase, increase, renewal, credit).
    pub fn invoice(
        &self,
        conn: &mut DbConnection,
        invoice: &InvoiceRow,
        lines: &[InvoiceLineRow],
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        let invoice = Invoice {
            row: invoice.clone(),
            lines: lines.to_vec(),
        };
        let data = self.shapes.invoice(&invoice)?;
        let origin = Origin::system(invoice.row.organization_id, at);
        let facts = Facts::default();
        self.record(
            conn,
            &origin,
            EventType::InvoiceIssued,
            data,
            facts,
            String::new,
        )
    }

    /// The delivery worker switched an endpoint off after 3 days of
    /// failures: its admins are told (PRODUCT.md §8).
    pub fn webhook_endpoint_disabled(
        &self,
        conn: &mut DbConnection,
        endpoint: &Endpoint,
        organization_id: OrganizationId,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        let kind = EventType::WebhookEndpointDisabled;
        let data = self.shapes.webhook_endpoint(endpoint)?;
        let origin = Origin::system(organization_id, at);
        let summary = || notices::webhook_endpoint_disabled(endpoint);
        self.record(conn, &origin, kind, data, Facts::default(), summary)
    }

    fn view(
        &self,
        conn: &mut DbConnection,
        origin: &Origin,
        id: SubscriptionId,
    ) -> Result<View, Error> {
        // The purchaser's name joined in: one statement inside the writer's turn.
        let (row, purchaser) = subscriptions::find_named(conn, origin.organization_id, id)?
            .ok_or_else(|| Error::internal("subscription of an event vanished"))?;
        self.named(row, purchaser, origin)
    }

    fn named(
        &self,
        row: SubscriptionRow,
        purchaser: Option<String>,
        origin: &Origin,
    ) -> Result<View, Error> {
        Ok(self
            .names
            .named(Loaded::parse(row, origin.at.date_naive())?, purchaser))
    }

    /// Inserts the event, then one notification per recipient the domain's
    /// rule names (`summary` is only made when someone is told).
    fn record(
        &self,
        conn: &mut DbConnection,
        origin: &Origin,
        kind: EventType,
        data: Value,
        facts: Facts,
        summary: impl FnOnce() -> String,
    ) -> Result<(), Error> {
        let event = EventRow {
            id: EventId::new_random(),
            organization_id: origin.organization_id,
            event_type: kind,
            created_at: origin.at.naive_utc(),
            data: data.to_string(),
            dispatched_at: None,
        };
        events::insert(conn, &event)?;
        let audience = notification::audience(kind, &facts);
        let admins = match audience {
            Some(Audience::Admins) => users::admin_ids(conn, origin.organization_id)?,
            _ => Vec::new(),
        };
        let people = notification::recipients(kind, audience, &admins, origin.actor);
        if people.is_empty() {
            return Ok(());
        }
        let summary = summary();
        for recipient in people {
            notifications::insert(
                conn,
                &NotificationRow {
                    id: NotificationId::new_random(),
                    organization_id: origin.organization_id,
                    recipient_id: recipient,
                    event_id: event.id,
                    event_type: kind,
                    title: notification::title(kind).to_owned(),
                    summary: summary.clone(),
                    created_at: event.created_at,
                    read_at: None,
                },
            )?;
        }
        Ok(())
    }
}

fn facts_of(view: &View, origin: &Origin) -> Facts {
    Facts {
        actor: origin.actor,
        owner: Some(view.loaded.row.purchaser_id),
        self_service: view.loaded.source == SubscriptionSource::SelfService,
        first_trial_of_product: false,
    }
}
