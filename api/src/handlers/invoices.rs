//! Invoices: list by period, read one.

use crate::auth::Caller;
use crate::dto::common::MoneyDto;
use crate::dto::invoices::{InvoiceDto, InvoiceLineDto, InvoiceList, InvoiceListQuery, PeriodDto};
use crate::error::ApiError;
use crate::extract::Page;
use crate::extract::Paged;

use crate::extract::Query;
use crate::startup::state::AppState;
use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use persistence::repos::invoices::Filter;
use usecases::invoices::{self as usecase, Invoice, Period};
use uuid::Uuid;

pub fn to_dto(invoice: &Invoice) -> Result<InvoiceDto, ApiError> {
    let r = &invoice.row;
    let money = |amount: i64| MoneyDto {
        amount,
        currency: r.currency.clone(),
    };
    Ok(InvoiceDto {
        id: r.id.as_uuid(),
        number: r.number,
        billing_profile_id: r.billing_profile_id.as_uuid(),
        bill_to: serde_json::from_str(&r.bill_to).ok(),
        subscription_id: r.subscription_id.as_uuid(),
        issued_at: r.issued_at.and_utc(),
        issue_date: r.issue_date,
        due_date: r.due_date,
        period_start: r.period_start,
        period_end: r.period_end,
        status: r.status.as_str().to_owned(),
        currency: r.currency.clone(),
        lines: invoice
            .lines
            .iter()
            .map(|l| {
                Ok(InvoiceLineDto {
                    kind: l.kind.as_str().to_owned(),
                    description: l.description.clone(),
                    subscription_id: l.subscription_id.as_uuid(),
                    quantity: l.quantity,
                    unit_amount: money(l.unit_amount),
                    amount: money(l.amount),
                    period_start: l.period_start,
                    period_end: l.period_end,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        subtotal: money(r.subtotal),
        tax: money(r.tax),
        total: money(r.total),
    })
}

pub fn filter_from(state: &AppState, q: &InvoiceListQuery) -> Result<Filter, ApiError> {
    let period = q.period.map(|p| match p {
        PeriodDto::Last3Months => Period::Last3Months,
        PeriodDto::Last6Months => Period::Last6Months,
        PeriodDto::Custom => Period::Custom,
    });
    let (from, to) = usecase::window(
        period,
        q.from.as_deref(),
        q.to.as_deref(),
        state.services.clock.now().date_naive(),
    )?;
    Ok(Filter {
        from: Some(from),
        to: Some(to),
        billing_profile: q.billing_profile_id.map(|p| p.to_string()),
        subscription: q.subscription_id.map(|s| s.to_string()),
    })
}

/// The caller's invoices issued in a period (default: the last 3 months, in UTC), newest first.
#[utoipa::path(tag = "invoices", params(InvoiceListQuery), responses(
    (status = 200, description = "A page of invoices", body = InvoiceList),
    (status = 422, description = "`invalid_date_range` (`parameter` names `from` or `to`) or `invalid_parameter`", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("")]
pub async fn list_invoices(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    list: Paged<(chrono::NaiveDate, i64), InvoiceListQuery>,
) -> Result<HttpResponse, ApiError> {
    let Paged { filters: q, page } = list;
    let filter = filter_from(&state, &q)?;
    state
        .cached_read(&caller, &request, || async {
            let (invoices, next_cursor) =
                usecase::list(&state.services, caller.actor(), filter, page).await?;
            Ok(HttpResponse::Ok().json(InvoiceList {
                data: invoices.iter().map(to_dto).collect::<Result<_, _>>()?,
                next_cursor,
            }))
        })
        .await
}

/// One of the caller's invoices, with its lines.
#[utoipa::path(tag = "invoices", params(("invoice_id" = Uuid, Path, description = "Invoice id")), responses(
    (status = 200, description = "The invoice", body = InvoiceDto),
))]
#[get("/{invoice_id}")]
pub async fn get_invoice(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<web::Json<InvoiceDto>, ApiError> {
    Ok(web::Json(to_dto(
        &usecase::get(&state.services, caller.actor(), path.into_inner().into()).await?,
    )?))
}

/// Invoices in one CSV export at most; narrow the period for more.
const EXPORT_LIMIT: i64 = 10_000;

/// The filtered list as CSV: a header row, then one row per invoice line;
/// money as exact decimals with the currency.
#[utoipa::path(tag = "invoices", params(InvoiceListQuery), responses(
    (status = 200, description = "CSV (`Content-Disposition: attachment`)", content_type = "text/csv", body = String),
    (status = 422, description = "`invalid_date_range` or `invalid_parameter`", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/v1/invoices.csv")]
pub async fn export_invoices_csv(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<InvoiceListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    Page::<(chrono::NaiveDate, i64)>::parse(q.limit, q.cursor.as_deref())?;
    let filter = filter_from(&state, &q)?;
    let (from, to) = (filter.from, filter.to);
    let page = Page {
        limit: EXPORT_LIMIT,
        after: None,
    };
    let (invoices, more) = usecase::list(&state.services, caller.actor(), filter, page).await?;
    if more.is_some() {
        return Err(ApiError::invalid_parameter(
            "to",
            format!("more than {EXPORT_LIMIT} invoices: narrow the period"),
        ));
    }
    let dtos: Vec<InvoiceDto> = invoices.iter().map(to_dto).collect::<Result<_, _>>()?;
    let body = crate::render::csv_export::invoices(&dtos).map_err(ApiError::internal)?;
    let name = match (from, to) {
        (Some(f), Some(t)) => format!("invoices-{f}-to-{t}.csv"),
        _ => "invoices.csv".to_owned(),
    };
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(body))
}

/// The invoice as a PDF document.
#[utoipa::path(tag = "invoices", params(("invoice_id" = Uuid, Path, description = "Invoice id")), responses(
    (status = 200, description = "The invoice as PDF", content_type = "application/pdf", body = crate::dto::common::BinaryFile),
))]
#[get("/{invoice_id}/pdf")]
pub async fn get_invoice_pdf(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let dto =
        to_dto(&usecase::get(&state.services, caller.actor(), path.into_inner().into()).await?)?;
    let body = crate::render::pdf::invoice(&dto, state.services.catalog.seller())
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"invoice-{}.pdf\"", dto.number),
        ))
        .body(body))
}
