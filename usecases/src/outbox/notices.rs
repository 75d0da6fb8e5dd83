//! The one-line summaries notifications carry (their titles are the
//! domain's): what a person reads in the portal or an e-mail subject.

use crate::governance::license_requests::RequestView;
use crate::subscriptions::View;
use crate::webhooks::endpoints::Endpoint;
use domain::event::EventType;
use domain::governance::LicenseRequestStatus;
use persistence::rows::PaymentMethodRow;

pub(super) fn subscription(kind: EventType, view: &View) -> String {
    let (product, purchaser) = (&view.product_name, &view.purchaser_name);
    let count = view.loaded.row.license_count;
    match kind {
        EventType::SubscriptionCreated => {
            format!("{purchaser} bought {count} licenses of {product}.")
        }
        EventType::SubscriptionTrialStarted => format!(
            "{purchaser} started the first trial of {product} in the organisation ({count} licenses)."
        ),
        EventType::SubscriptionTakenOver => format!(
            "An admin took control of your subscription to {product}; it is canceled."
        ),
        EventType::SubscriptionCanceled => format!("Your subscription to {product} was canceled."),
        EventType::SubscriptionExpired => format!("Your subscription to {product} expired."),
        EventType::SubscriptionDisabled => format!("Your subscription to {product} was disabled."),
        EventType::SubscriptionDeleted => format!("Your subscription to {product} was deleted."),
        EventType::SubscriptionReactivated => {
            format!("Your subscription to {product} was reactivated.")
        }
        other => format!("{product}: {}.", domain::notification::title(other)),
    }
}

pub(super) fn seats(view: &View, threshold: u8) -> String {
    let row = &view.loaded.row;
    format!(
        "{}: {} of {} licenses are in use ({threshold} %).",
        view.product_name, row.assigned_count, row.license_count
    )
}

pub(super) fn license_request(kind: EventType, view: &RequestView) -> String {
    let product = &view.product_name;
    let users = view.request.users().len();
    match (kind, view.request.status()) {
        (EventType::LicenseRequestCreated, _) => {
            format!("A member asked for {users} license(s) of {product}.")
        }
        (_, LicenseRequestStatus::Approved) => {
            format!("Your license request for {product} was approved.")
        }
        (_, LicenseRequestStatus::PartiallyApproved) => {
            format!("Your license request for {product} was partially approved.")
        }
        (_, LicenseRequestStatus::Denied) => {
            format!("Your license request for {product} was denied.")
        }
        (_, LicenseRequestStatus::Pending) => {
            format!("Your license request for {product} is pending.")
        }
    }
}

pub(super) fn webhook_endpoint_disabled(endpoint: &Endpoint) -> String {
    let since = endpoint
        .failing_since
        .map(|t| format!(" since {}", t.format("%Y-%m-%d %H:%M UTC")))
        .unwrap_or_default();
    format!(
        "The webhook endpoint {} failed every delivery{since} and was switched off; fix the receiver, enable it again and redeliver what it missed.",
        endpoint.url
    )
}

pub(super) fn card(card: &PaymentMethodRow) -> String {
    format!(
        "Your {} card ending in {} expires at the end of {:02}/{}; add a new card to keep your subscriptions renewing.",
        card.brand, card.last4, card.exp_month, card.exp_year
    )
}
