//! The per-organisation, per-product self-service policy.

use std::fmt;
use std::str::FromStr;
use thiserror::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SelfServicePolicy {
    /// Members may buy and start trials (the default for every product).
    #[default]
    Enabled,
    /// No new purchases or trials.
    Disabled,
    /// Free trials only; no purchases.
    TrialsOnly,
}

/// Why the policy refuses a new purchase or trial.
#[derive(Debug, Error, PartialEq, Eq, Clone, Copy)]
pub enum PolicyRefusal {
    #[error("self-service is disabled for this product in your organisation")]
    SelfServiceDisabled,
    #[error("only free trials of this product are allowed in your organisation")]
    TrialsOnly,
}

impl SelfServicePolicy {
    pub fn as_str(&self) -> &'static str {
        match self {
            SelfServicePolicy::Enabled => "enabled",
            SelfServicePolicy::Disabled => "disabled",
            SelfServicePolicy::TrialsOnly => "trials_only",
        }
    }

    /// May a member buy (or convert a trial to) a paid subscription?
    pub fn check_purchase(&self) -> Result<(), PolicyRefusal> {
        match self {
            SelfServicePolicy::Enabled => Ok(()),
            SelfServicePolicy::Disabled => Err(PolicyRefusal::SelfServiceDisabled),
            SelfServicePolicy::TrialsOnly => Err(PolicyRefusal::TrialsOnly),
        }
    }

    /// May a member start a free trial?
    pub fn check_trial(&self) -> Result<(), PolicyRefusal> {
        match self {
            SelfServicePolicy::Enabled | SelfServicePolicy::TrialsOnly => Ok(()),
            SelfServicePolicy::Disabled => Err(PolicyRefusal::SelfServiceDisabled),
        }
    }
}

impl fmt::Display for SelfServicePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("policy must be `enabled`, `disabled` or `trials_only`, got {0:?}")]
pub struct InvalidPolicy(pub String);

impl FromStr for SelfServicePolicy {
    type Err = InvalidPolicy;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "enabled" => Ok(SelfServicePolicy::Enabled),
            "disabled" => Ok(SelfServicePolicy::Disabled),
            "trials_only" => Ok(SelfServicePolicy::TrialsOnly),
            other => Err(InvalidPolicy(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_blocks_purchase_and_trial() {
        let p = SelfServicePolicy::Disabled;
        assert_eq!(p.check_purchase(), Err(PolicyRefusal::SelfServiceDisabled));
        assert_eq!(p.check_trial(), Err(PolicyRefusal::SelfServiceDisabled));
    }

    #[test]
    fn trials_only_blocks_purchase_only() {
        let p = SelfServicePolicy::TrialsOnly;
        assert_eq!(p.check_purchase(), Err(PolicyRefusal::TrialsOnly));
        assert_eq!(p.check_trial(), Ok(()));
    }

    #[test]
    fn enabled_is_the_default_and_allows_everything() {
        let p = SelfServicePolicy::default();
        assert_eq!(p, SelfServicePolicy::Enabled);
        assert!(p.check_purchase().is_ok() && p.check_trial().is_ok());
    }

    #[test]
    fn text_round_trips() {
        for p in [
            SelfServicePolicy::Enabled,
            SelfServicePolicy::Disabled,
            SelfServicePolicy::TrialsOnly,
        ] {
            assert_eq!(p.as_str().parse::<SelfServicePolicy>(), Ok(p));
        }
        assert!("Enabled".parse::<SelfServicePolicy>().is_err());
    }
}
