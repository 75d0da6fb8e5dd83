//! The language an invoice document is written in: its labels and how it
//! writes amounts. Pure tables, so the wording is reviewed (and tested) here
//! rather than scattered through the PDF renderer.

use crate::money::Money;
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// A billing profile's `invoice_language`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum InvoiceLanguage {
    #[default]
    En,
    Pl,
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("invoice_language must be `en` or `pl`")]
pub struct InvalidInvoiceLanguage;

impl InvoiceLanguage {
    pub const ALL: [InvoiceLanguage; 2] = [InvoiceLanguage::En, InvoiceLanguage::Pl];

    pub fn as_str(&self) -> &'static str {
        match self {
            InvoiceLanguage::En => "en",
            InvoiceLanguage::Pl => "pl",
        }
    }

    pub fn labels(&self) -> &'static Labels {
        match self {
            InvoiceLanguage::En => &EN,
            InvoiceLanguage::Pl => &PL,
        }
    }

    /// `amount` as people reading this language write it, with its currency:
    /// en `1,234.56 USD`; pl `1 234,56 PLN` (the group separator is a
    /// no-break space, so a number never splits across lines).
    pub fn amount(&self, money: Money) -> String {
        let (group, decimal) = match self {
            InvoiceLanguage::En => (",", "."),
            InvoiceLanguage::Pl => ("\u{a0}", ","),
        };
        let plain = money.to_decimal();
        let (sign, unsigned) = match plain.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", plain.as_str()),
        };
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (unsigned, None),
        };
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3 * 2);
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push_str(group);
            }
            grouped.push(digit);
        }
        let fraction = fraction
            .map(|f| format!("{decimal}{f}"))
            .unwrap_or_default();
        format!("{sign}{grouped}{fraction} {}", money.currency())
    }

    /// "Page 1 of 2".
    pub fn page(&self, page: usize, pages: usize) -> String {
        match self {
            InvoiceLanguage::En => format!("Page {page} of {pages}"),
            InvoiceLanguage::Pl => format!("Strona {page} z {pages}"),
        }
    }

    /// An invoice status (`paid`, `credited`) in words.
    pub fn status(&self, status: &str) -> String {
        match (self, status) {
            (InvoiceLanguage::En, "paid") => "Paid".to_owned(),
            (InvoiceLanguage::En, "credited") => "Credited".to_owned(),
            (InvoiceLanguage::Pl, "paid") => "Zapłacona".to_owned(),
            (InvoiceLanguage::Pl, "credited") => "Korygująca (uznanie)".to_owned(),
            (_, other) => other.to_owned(),
        }
    }
}

impl fmt::Display for InvoiceLanguage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for InvoiceLanguage {
    type Err = InvalidInvoiceLanguage;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "en" => Ok(InvoiceLanguage::En),
            "pl" => Ok(InvoiceLanguage::Pl),
            _ => Err(InvalidInvoiceLanguage),
        }
    }
}

/// Every fixed word printed on an invoice.
#[derive(Debug)]
pub struct Labels {
    pub invoice: &'static str,
    pub seller: &'static str,
    pub bill_to: &'static str,
    pub tax_id: &'static str,
    pub invoice_number: &'static str,
    pub issue_date: &'static str,
    pub due_date: &'static str,
    pub period: &'static str,
    pub status: &'static str,
    pub invoice_id: &'static str,
    pub po_number: &'static str,
    pub email: &'static str,
    pub description: &'static str,
    pub quantity: &'static str,
    pub unit_price: &'static str,
    pub amount: &'static str,
    pub subtotal: &'static str,
    pub tax: &'static str,
    pub total: &'static str,
    /// Between the first and last day of a period.
    pub period_to: &'static str,
}

const EN: Labels = Labels {
    invoice: "Invoice",
    seller: "Seller",
    bill_to: "Bill to",
    tax_id: "Tax ID",
    invoice_number: "Invoice number",
    issue_date: "Issue date",
    due_date: "Due date",
    period: "Period",
    status: "Status",
    invoice_id: "Invoice id",
    po_number: "PO number",
    email: "E-mail",
    description: "Description",
    quantity: "Qty",
    unit_price: "Unit price",
    amount: "Amount",
    subtotal: "Subtotal",
    tax: "Tax",
    total: "Total",
    period_to: "–",
};

const PL: Labels = Labels {
    invoice: "Faktura",
    seller: "Sprzedawca",
    bill_to: "Nabywca",
    tax_id: "NIP",
    invoice_number: "Numer faktury",
    issue_date: "Data wystawienia",
    due_date: "Termin płatności",
    period: "Okres",
    status: "Status",
    invoice_id: "Identyfikator",
    po_number: "Numer zamówienia",
    email: "E-mail",
    description: "Opis",
    quantity: "Ilość",
    unit_price: "Cena jedn.",
    amount: "Kwota",
    subtotal: "Netto",
    tax: "Podatek",
    total: "Razem",
    period_to: "–",
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn money(amount: i64, currency: &str) -> Money {
        Money::new(amount, Currency::parse(currency).unwrap())
    }

    #[test]
    fn english_groups_with_commas_and_uses_a_decimal_point() {
        let en = InvoiceLanguage::En;
        assert_eq!(en.amount(money(123_456, "USD")), "1,234.56 USD");
        assert_eq!(en.amount(money(8750, "USD")), "87.50 USD");
        assert_eq!(en.amount(money(-1250, "USD")), "-12.50 USD");
        assert_eq!(en.amount(money(0, "USD")), "0.00 USD");
        assert_eq!(
            en.amount(money(12_345_678_900, "EUR")),
            "123,456,789.00 EUR"
        );
        assert_eq!(en.amount(money(1_000_000, "JPY")), "1,000,000 JPY");
        assert_eq!(en.amount(money(-1_234_567, "KWD")), "-1,234.567 KWD");
    }

    #[test]
    fn polish_groups_with_a_no_break_space_and_uses_a_decimal_comma() {
        let pl = InvoiceLanguage::Pl;
        assert_eq!(pl.amount(money(123_456, "PLN")), "1\u{a0}234,56 PLN");
        assert_eq!(pl.amount(money(99_999, "PLN")), "999,99 PLN");
        assert_eq!(pl.amount(money(-1250, "USD")), "-12,50 USD");
        assert_eq!(
            pl.amount(money(100_000_000, "PLN")),
            "1\u{a0}000\u{a0}000,00 PLN"
        );
        assert_eq!(
            pl.amount(money(i64::MIN, "PLN")),
            "-92\u{a0}233\u{a0}720\u{a0}368\u{a0}547\u{a0}758,08 PLN"
        );
    }

    #[test]
    fn only_en_and_pl_parse_and_en_is_the_default() {
        assert_eq!("en".parse(), Ok(InvoiceLanguage::En));
        assert_eq!("pl".parse(), Ok(InvoiceLanguage::Pl));
        for bad in ["", "EN", "de", "pl-PL", " pl"] {
            assert_eq!(bad.parse::<InvoiceLanguage>(), Err(InvalidInvoiceLanguage));
        }
        assert_eq!(InvoiceLanguage::default(), InvoiceLanguage::En);
        for lang in InvoiceLanguage::ALL {
            assert_eq!(lang.as_str().parse(), Ok(lang));
        }
    }

    #[test]
    fn polish_labels_are_polish() {
        let l = InvoiceLanguage::Pl.labels();
        assert_eq!(
            [l.invoice, l.total, l.subtotal, l.tax, l.bill_to, l.seller],
            [
                "Faktura",
                "Razem",
                "Netto",
                "Podatek",
                "Nabywca",
                "Sprzedawca"
            ]
        );
        assert_eq!(
            [
                l.quantity,
                l.unit_price,
                l.amount,
                l.period,
                l.issue_date,
                l.due_date
            ],
            [
                "Ilość",
                "Cena jedn.",
                "Kwota",
                "Okres",
                "Data wystawienia",
                "Termin płatności"
            ]
        );
        assert_eq!(InvoiceLanguage::Pl.page(1, 3), "Strona 1 z 3");
        assert_eq!(InvoiceLanguage::En.labels().invoice, "Invoice");
        assert_eq!(InvoiceLanguage::En.page(2, 2), "Page 2 of 2");
        assert_eq!(InvoiceLanguage::Pl.status("paid"), "Zapłacona");
        assert_eq!(InvoiceLanguage::En.status("credited"), "Credited");
    }
}
