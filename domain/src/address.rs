//! Postal addresses (bill-to and card billing addresses).

use thiserror::Error;

/// ISO 3166-1 alpha-2 codes, officially assigned.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS \
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK \
FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM \
JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS \
MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM \
US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

#[derive(Debug, Error, PartialEq, Eq, Clone)]
#[error("{field}: {problem}")]
pub struct AddressError {
    /// The address field at fault (`line1`, `country`, …).
    pub field: &'static str,
    pub problem: &'static str,
}

/// The raw fields, as received.
#[derive(Debug, Clone, Default)]
pub struct AddressInput {
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub postal_code: String,
    pub region: Option<String>,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    line1: String,
    line2: Option<String>,
    city: String,
    postal_code: String,
    region: Option<String>,
    country: String,
}

fn text(field: &'static str, raw: &str, max: usize) -> Result<String, AddressError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(AddressError {
            field,
            problem: "is required",
        });
    }
    if value.chars().count() > max {
        return Err(AddressError {
            field,
            problem: "is too long",
        });
    }
    if let Err(problem) = crate::text::check(value, crate::text::Lines::Single) {
        return Err(AddressError {
            field,
            problem: problem.message(),
        });
    }
    Ok(value.to_owned())
}

fn optional(
    field: &'static str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, AddressError> {
    match raw.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => text(field, v, max).map(Some),
    }
}

pub fn is_country_code(code: &str) -> bool {
    code.len() == 2 && COUNTRIES.split(' ').any(|c| c == code)
}

impl Address {
    pub fn parse(input: &AddressInput) -> Result<Self, AddressError> {
        let country = input.country.trim().to_ascii_uppercase();
        if !is_country_code(&country) {
            return Err(AddressError {
                field: "country",
                problem: "must be an ISO 3166-1 alpha-2 code such as US or DE",
            });
        }
        Ok(Self {
            line1: text("line1", &input.line1, 200)?,
            line2: optional("line2", input.line2.as_deref(), 200)?,
            city: text("city", &input.city, 100)?,
            postal_code: text("postal_code", &input.postal_code, 20)?,
            region: optional("region", input.region.as_deref(), 100)?,
            country,
        })
    }

    pub fn line1(&self) -> &str {
        &self.line1
    }
    pub fn line2(&self) -> Option<&str> {
        self.line2.as_deref()
    }
    pub fn city(&self) -> &str {
        &self.city
    }
    pub fn postal_code(&self) -> &str {
        &self.postal_code
    }
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }
    pub fn country(&self) -> &str {
        &self.country
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> AddressInput {
        AddressInput {
            line1: "1 Main St".into(),
            line2: Some("  ".into()),
            city: "Springfield".into(),
            postal_code: "12345".into(),
            region: None,
            country: "us".into(),
        }
    }

    #[test]
    fn a_valid_address_is_normalised() {
        let a = Address::parse(&input()).unwrap();
        assert_eq!(a.country(), "US");
        assert_eq!(a.line2(), None);
    }

    #[test]
    fn countries_must_be_assigned_codes() {
        for bad in ["XX", "USA", "", "U"] {
            let mut i = input();
            i.country = bad.into();
            assert_eq!(Address::parse(&i).unwrap_err().field, "country", "{bad}");
        }
        assert_eq!(COUNTRIES.split(' ').count(), 249);
    }

    #[test]
    fn required_fields() {
        let mut i = input();
        i.city = " ".into();
        assert_eq!(Address::parse(&i).unwrap_err().field, "city");
        let mut i = input();
        i.postal_code = "1".repeat(21);
        assert_eq!(Address::parse(&i).unwrap_err().field, "postal_code");
    }
}
