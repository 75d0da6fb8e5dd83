//! Documents people download: invoice PDFs and CSV exports.

pub mod csv_export;
pub mod csv_sheet;
pub mod pdf;
mod pdf_font;
mod pdf_layout;

use domain::{Currency, Money};

/// Exact decimal text of minor units in `currency` ("12.50").
pub fn decimal(amount: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Ok(c) => Money::new(amount, c).to_decimal(),
        Err(_) => amount.to_string(),
    }
}
