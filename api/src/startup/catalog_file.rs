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

#[cfg(test)]
mod tests {
    use super::parse;

    const PRODUCT: &str = r#"
[[products]]
id = "6f1c1f7e-8a4f-4c55-9e1e-0d7c1b5f1a01"
name = "Contoso CRM"
currency = "USD"
monthly_price = 1250
annual_price = 12000
max_licenses = 300
"#;

    #[test]
    fn the_seller_is_required_and_checked() {
        let missing = parse(PRODUCT).err().unwrap_or_default();
        assert!(missing.contains("seller"), "{missing}");
        let bad_tax_id = format!(
            "[seller]\nname = \"Contoso\"\naddress = [\"1 Main St\"]\ntax_id = \"=1+1\"\n{PRODUCT}"
        );
        let err = parse(&bad_tax_id).err().unwrap_or_default();
        assert!(err.starts_with("seller: tax_id must be"), "{err}");
        let good = format!(
            "[seller]\nname = \"Contoso\"\naddress = [\"1 Main St\", \"Łódź\"]\ntax_id = \"PL 123\"\n{PRODUCT}"
        );
        let catalog = parse(&good).map_err(|e| e.to_string());
        let seller = catalog.as_ref().ok().and_then(|c| c.seller().cloned());
        assert_eq!(
            seller.map(|s| s.address()[1].clone()),
            Some("Łódź".to_owned())
        );
    }
}
