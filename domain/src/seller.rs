//! Who issues the invoices: the seller named on every invoice, read from the
//! catalog file's `[seller]` table.

use crate::tax_id::TaxId;
use serde::Deserialize;
use thiserror::Error;

/// Address lines a seller block may hold (street, postcode and city, country …).
pub const MAX_ADDRESS_LINES: usize = 6;

/// The `[seller]` table as written, before validation.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SellerDraft {
    pub name: String,
    /// Printed as given, one entry a line.
    pub address: Vec<String>,
    pub tax_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seller {
    name: String,
    address: Vec<String>,
    tax_id: TaxId,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SellerError {
    #[error("seller: name must be 1 to 200 characters")]
    InvalidName,
    #[error("seller: address must have 1 to 6 lines of 1 to 200 characters")]
    InvalidAddress,
    #[error("seller: {0}")]
    InvalidTaxId(String),
}

fn line(raw: &str) -> Option<String> {
    let value = raw.trim();
    let ok =
        !value.is_empty() && value.chars().count() <= 200 && !value.chars().any(char::is_control);
    ok.then(|| value.to_owned())
}

impl TryFrom<SellerDraft> for Seller {
    type Error = SellerError;

    fn try_from(d: SellerDraft) -> Result<Self, Self::Error> {
        let name = line(&d.name).ok_or(SellerError::InvalidName)?;
        if d.address.is_empty() || d.address.len() > MAX_ADDRESS_LINES {
            return Err(SellerError::InvalidAddress);
        }
        let address = d
            .address
            .iter()
            .map(|l| line(l))
            .collect::<Option<Vec<_>>>()
            .ok_or(SellerError::InvalidAddress)?;
        let tax_id =
            TaxId::parse(&d.tax_id).map_err(|e| SellerError::InvalidTaxId(e.to_string()))?;
        Ok(Seller {
            name,
            address,
            tax_id,
        })
    }
}

impl Seller {
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn address(&self) -> &[String] {
        &self.address
    }
    pub fn tax_id(&self) -> &TaxId {
        &self.tax_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> SellerDraft {
        SellerDraft {
            name: " Selfserve Sp. z o.o. ".to_owned(),
            address: vec!["ul. Piotrkowska 1".to_owned(), "90-001 Łódź".to_owned()],
            tax_id: "PL 725-000-00-00".to_owned(),
        }
    }

    #[test]
    fn a_valid_seller_is_trimmed() {
        let seller = Seller::try_from(draft()).unwrap();
        assert_eq!(seller.name(), "Selfserve Sp. z o.o.");
        assert_eq!(seller.address()[1], "90-001 Łódź");
        assert_eq!(seller.tax_id().as_str(), "PL 725-000-00-00");
    }

    #[test]
    fn missing_parts_are_refused() {
        let mut d = draft();
        d.name = "  ".to_owned();
        assert_eq!(Seller::try_from(d), Err(SellerError::InvalidName));
        let mut d = draft();
        d.address = vec![];
        assert_eq!(Seller::try_from(d), Err(SellerError::InvalidAddress));
        let mut d = draft();
        d.address = vec!["x".to_owned(); 7];
        assert_eq!(Seller::try_from(d), Err(SellerError::InvalidAddress));
        let mut d = draft();
        d.tax_id = "=1".to_owned();
        assert!(matches!(
            Seller::try_from(d),
            Err(SellerError::InvalidTaxId(_))
        ));
    }
}
