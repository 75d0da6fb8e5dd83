//! The product catalog: data loaded at start (from `catalog.toml`), validated
//! here once so that the rest of the service can trust every product.

use crate::ids::ProductId;
use crate::money::{Currency, Money};
use crate::seller::{Seller, SellerDraft, SellerError};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// How often a subscription is billed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BillingFrequency {
    Monthly,
    Annual,
}

impl BillingFrequency {
    pub const ALL: [BillingFrequency; 2] = [BillingFrequency::Monthly, BillingFrequency::Annual];

    pub fn as_str(&self) -> &'static str {
        match self {
            BillingFrequency::Monthly => "monthly",
            BillingFrequency::Annual => "annual",
        }
    }

    /// Months in one billing period.
    pub fn months(&self) -> u32 {
        match self {
            BillingFrequency::Monthly => 1,
            BillingFrequency::Annual => 12,
        }
    }
}

impl fmt::Display for BillingFrequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("billing frequency must be `monthly` or `annual`, got {0:?}")]
pub struct InvalidBillingFrequency(pub String);

impl FromStr for BillingFrequency {
    type Err = InvalidBillingFrequency;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "monthly" => Ok(BillingFrequency::Monthly),
            "annual" => Ok(BillingFrequency::Annual),
            other => Err(InvalidBillingFrequency(other.to_owned())),
        }
    }
}

/// A free trial a product offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrialOffer {
    pub days: u32,
    pub max_licenses: u32,
}

/// A product as written in the catalog file, before validation.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductDraft {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub currency: String,
    /// Price per license per month, in minor units.
    pub monthly_price: i64,
    /// Price per license per year, in minor units.
    pub annual_price: i64,
    pub max_licenses: u32,
    #[serde(default)]
    pub trial_days: Option<u32>,
    #[serde(default)]
    pub trial_max_licenses: Option<u32>,
}

/// A validated product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Product {
    id: ProductId,
    name: String,
    description: String,
    monthly_price: Money,
    annual_price: Money,
    max_licenses: u32,
    trial: Option<TrialOffer>,
}

impl Product {
    pub fn id(&self) -> ProductId {
        self.id
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn description(&self) -> &str {
        &self.description
    }
    pub fn currency(&self) -> Currency {
        self.monthly_price.currency()
    }
    pub fn max_licenses(&self) -> u32 {
        self.max_licenses
    }
    pub fn trial(&self) -> Option<TrialOffer> {
        self.trial
    }
    /// Price of one license for one period of `frequency`.
    pub fn unit_price(&self, frequency: BillingFrequency) -> Money {
        match frequency {
            BillingFrequency::Monthly => self.monthly_price,
            BillingFrequency::Annual => self.annual_price,
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum CatalogError {
    #[error("product {index}: id {id:?} is not a UUID")]
    InvalidId { index: usize, id: String },
    #[error("product {0}: id appears twice")]
    DuplicateId(String),
    #[error("product {0}: name must be 1 to 100 characters")]
    InvalidName(String),
    #[error("product {0}: {1}")]
    InvalidCurrency(String, String),
    #[error("product {0}: prices must be positive minor units")]
    InvalidPrice(String),
    #[error("product {0}: max_licenses must be at least 1")]
    InvalidMaxLicenses(String),
    #[error("product {0}: a trial needs both trial_days and trial_max_licenses, each at least 1 and max licenses within max_licenses")]
    InvalidTrial(String),
    #[error("the catalog has no products")]
    Empty,
    #[error("{0}")]
    Seller(#[from] SellerError),
}

impl TryFrom<(usize, ProductDraft)> for Product {
    type Error = CatalogError;

    fn try_from((index, d): (usize, ProductDraft)) -> Result<Self, Self::Error> {
        let id = ProductId::from_str(&d.id).map_err(|_| CatalogError::InvalidId {
            index,
            id: d.id.clone(),
        })?;
        let label = d.id.clone();
        let name = d.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(CatalogError::InvalidName(label));
        }
        let currency = Currency::parse(&d.currency)
            .map_err(|e| CatalogError::InvalidCurrency(label.clone(), e.to_string()))?;
        if d.monthly_price <= 0 || d.annual_price <= 0 {
            return Err(CatalogError::InvalidPrice(label));
        }
        if d.max_licenses == 0 {
            return Err(CatalogError::InvalidMaxLicenses(label));
        }
        let trial = match (d.trial_days, d.trial_max_licenses) {
            (None, None) => None,
            (Some(days), Some(max)) if days >= 1 && max >= 1 && max <= d.max_licenses => {
                Some(TrialOffer {
                    days,
                    max_licenses: max,
                })
            }
            _ => return Err(CatalogError::InvalidTrial(label)),
        };
        Ok(Product {
            id,
            name,
            description: d.description.trim().to_owned(),
            monthly_price: Money::new(d.monthly_price, currency),
            annual_price: Money::new(d.annual_price, currency),
            max_licenses: d.max_licenses,
            trial,
        })
    }
}

/// Every product on offer, in catalog order, and who sells them.
#[derive(Clone, Debug)]
pub struct Catalog {
    products: Vec<Product>,
    by_id: HashMap<ProductId, usize>,
    /// Always present in a catalog read from a file (`[seller]` is required there).
    seller: Option<Seller>,
}

impl Catalog {
    pub fn from_drafts(drafts: Vec<ProductDraft>) -> Result<Self, CatalogError> {
        if drafts.is_empty() {
            return Err(CatalogError::Empty);
        }
        let mut products = Vec::with_capacity(drafts.len());
        let mut by_id = HashMap::with_capacity(drafts.len());
        for (index, draft) in drafts.into_iter().enumerate() {
            let product = Product::try_from((index, draft))?;
            if by_id.insert(product.id(), products.len()).is_some() {
                return Err(CatalogError::DuplicateId(product.id().to_string()));
            }
            products.push(product);
        }
        Ok(Self {
            products,
            by_id,
            seller: None,
        })
    }

    /// The seller named on every invoice.
    pub fn with_seller(mut self, seller: SellerDraft) -> Result<Self, CatalogError> {
        self.seller = Some(Seller::try_from(seller)?);
        Ok(self)
    }

    pub fn seller(&self) -> Option<&Seller> {
        self.seller.as_ref()
    }

    pub fn products(&self) -> &[Product] {
        &self.products
    }

    pub fn get(&self, id: ProductId) -> Option<&Product> {
        self.by_id.get(&id).map(|&i| &self.products[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(id: &str) -> ProductDraft {
        ProductDraft {
            id: id.to_owned(),
            name: "Contoso CRM".to_owned(),
            description: String::new(),
            currency: "USD".to_owned(),
            monthly_price: 1250,
            annual_price: 12000,
            max_licenses: 300,
            trial_days: Some(30),
            trial_max_licenses: Some(25),
        }
    }

    const ID: &str = "7f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01";

    #[test]
    fn a_valid_draft_becomes_a_product() {
        let catalog = Catalog::from_drafts(vec![draft(ID)]).unwrap();
        let product = &catalog.products()[0];
        assert_eq!(product.unit_price(BillingFrequency::Monthly).amount(), 1250);
        assert_eq!(product.unit_price(BillingFrequency::Annual).amount(), 12000);
        assert_eq!(
            product.trial(),
            Some(TrialOffer {
                days: 30,
                max_licenses: 25
            })
        );
        assert!(catalog.get(product.id()).is_some());
    }

    #[test]
    fn the_seller_is_validated_when_added() {
        let seller = crate::seller::SellerDraft {
            name: "Contoso Ltd".to_owned(),
            address: vec!["1 Main St".to_owned()],
            tax_id: "US 12-3456789".to_owned(),
        };
        let catalog = Catalog::from_drafts(vec![draft(ID)]).unwrap();
        assert!(catalog.seller().is_none());
        let catalog = catalog.with_seller(seller.clone()).unwrap();
        assert_eq!(catalog.seller().unwrap().name(), "Contoso Ltd");
        let bad = crate::seller::SellerDraft {
            address: vec![],
            ..seller
        };
        assert!(matches!(
            Catalog::from_drafts(vec![draft(ID)])
                .unwrap()
                .with_seller(bad),
            Err(CatalogError::Seller(SellerError::InvalidAddress))
        ));
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let err = Catalog::from_drafts(vec![draft(ID), draft(ID)]).unwrap_err();
        assert_eq!(err, CatalogError::DuplicateId(ID.to_owned()));
    }

    #[test]
    fn half_a_trial_is_refused() {
        let mut d = draft(ID);
        d.trial_max_licenses = None;
        assert_eq!(
            Catalog::from_drafts(vec![d]).unwrap_err(),
            CatalogError::InvalidTrial(ID.to_owned())
        );
    }

    #[test]
    fn non_positive_prices_and_bad_ids_are_refused() {
        let mut d = draft(ID);
        d.annual_price = 0;
        assert_eq!(
            Catalog::from_drafts(vec![d]).unwrap_err(),
            CatalogError::InvalidPrice(ID.to_owned())
        );
        assert!(matches!(
            Catalog::from_drafts(vec![draft("crm")]).unwrap_err(),
            CatalogError::InvalidId { index: 0, .. }
        ));
        assert_eq!(
            Catalog::from_drafts(vec![]).unwrap_err(),
            CatalogError::Empty
        );
    }
}
