//! Reads the product catalog (`catalog.toml`): data, not code.

use domain::catalog::{Catalog, ProductDraft};
use domain::seller::SellerDraft;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    /// Named on every invoice; required, since an invoice without a seller is not one.
    seller: SellerDraft,
    products: Vec<ProductDraft>,
}

pub fn load(path: &Path) -> Result<Catalog, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn parse(text: &str) -> Result<Catalog, String> {
    let file: CatalogFile = toml::from_str(text).map_err(|e| e.message().to_owned())?;
    Catalog::from_drafts(file.products)
        .and_then(|c| c.with_seller(file.seller))
        .map_err(|e| e.to_string())
}
