//! The events of PRODUCT.md §8 in the contract, so integrators can generate
//! webhook types: `EventType` (the wire names), one schema per type
//! (`SubscriptionCreatedEvent`, …) holding the envelope and that type's
//! `data`, `Event` (one of them, told apart by `type`), and the webhook that
//! delivers an `Event` (OpenAPI 3.1 `webhooks`). Built from
//! `domain::event::EventType::ALL`: a new type appears here by itself, and
//! must name its `data` schema in [`data_schema`].

use domain::event::EventType;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{Discriminator, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{Content, KnownFormat, OpenApi, Ref, ResponseBuilder, SchemaFormat};

/// `event_type` fields refer to the shared enum.
pub fn event_type_ref() -> Ref {
    Ref::from_schema_name("EventType")
}

/// The schema of each type's `data`: the resource as the API shows it
/// after the change (the answer of the operation that made it).
fn data_schema(event: EventType) -> &'static str {
    use EventType as E;
    match event {
        E::SubscriptionCreated
        | E::SubscriptionTrialStarted
        | E::SubscriptionConverted
        | E::SubscriptionLicenseCountChanged
        | E::SubscriptionCanceled
        | E::SubscriptionExpired
        | E::SubscriptionDisabled
        | E::SubscriptionDeleted
        | E::SubscriptionReactivated => "SubscriptionDto",
        E::SubscriptionTakenOver => "TakeControlResponse",
        E::LicensesAssigned | E::LicensesUnassigned => "LicensesEventData",
        E::LicenseRequestCreated | E::LicenseRequestDecided => "LicenseRequestDto",
        E::InvoiceIssued => "InvoiceDto",
        E::PaymentMethodExpiring => "PaymentMethodDto",
        E::SeatsThresholdReached => "SeatsEventData",
        E::WebhookEndpointDisabled => "WebhookEndpointDto",
    }
}

/// `subscription.created` → `SubscriptionCreatedEvent`.
fn schema_name(event: EventType) -> String {
    let mut name: String = event
        .as_str()
        .split(['.', '_'])
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    name.push_str("Event");
    name
}

fn uuid() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
}

fn envelope(event: EventType) -> Schema {
    let kind = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some([event.as_str()]))
        .description(Some("The event's type"));
    ObjectBuilder::new()
        .description(Some(format!(
            "`{}`: `data` is a `{}`",
            event.as_str(),
            data_schema(event)
        )))
        .property(
            "id",
            uuid().description(Some("Unique per event: receivers dedupe deliveries by it")),
        )
        .property("type", kind)
        .property(
            "created_at",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
        )
        .property("organization_id", uuid())
        .property("data", Ref::from_schema_name(data_schema(event)))
        .required("id")
        .required("type")
        .required("created_at")
        .required("organization_id")
        .required("data")
        .into()
}

/// Adds the event schemas and the webhook to the document.
pub fn add(api: &mut OpenApi) {
    let components = api.components.get_or_insert_with(Default::default);
    let wire_names: Vec<&str> = EventType::ALL.iter().map(EventType::as_str).collect();
    components.schemas.insert(
        "EventType".to_owned(),
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(wire_names))
            .description(Some("The type of an event (PRODUCT.md §8)"))
            .into(),
    );
    let mut discriminator = Discriminator::new("type");
    let mut one_of = OneOfBuilder::new().description(Some(
        "A business event, as webhooks deliver it and as in-app notifications refer to it. \
         `data` is the resource as the API showed it right after the change. \
         Delivered at least once: receivers dedupe by `id`.",
    ));
    for event in EventType::ALL {
        let name = schema_name(*event);
        components
            .schemas
            .insert(name.clone(), envelope(*event).into());
        discriminator.mapping.insert(
            event.as_str().to_owned(),
            format!("#/components/schemas/{name}"),
        );
        one_of = one_of.item(Ref::from_schema_name(name));
    }
    components.schemas.insert(
        "Event".to_owned(),
        one_of.discriminator(Some(discriminator)).into(),
    );
    let delivery = OperationBuilder::new()
        .operation_id(Some("receive_event"))
        .tag("webhooks")
        // Receivers check the `Selfserve-Signature` header, not a bearer token.
        .securities(Some([SecurityRequirement::default()]))
        .summary(Some("An event, POSTed to each subscribed webhook endpoint"))
        .request_body(Some(
            RequestBodyBuilder::new()
                .content(
                    "application/json",
                    Content::new(Some(Ref::from_schema_name("Event"))),
                )
                .required(Some(utoipa::openapi::Required::True))
                .build(),
        ))
        .response(
            "200",
            ResponseBuilder::new()
                .description("Any 2xx within 10 s delivers the event; anything else is retried"),
        );
    let webhooks = api.webhooks.get_or_insert_with(Default::default);
    webhooks.paths.insert(
        "event".to_owned(),
        PathItem::new(HttpMethod::Post, delivery),
    );
}
