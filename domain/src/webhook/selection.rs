//! Which events an endpoint takes: every one (`["*"]`), or the listed types.

use crate::event::EventType;
use std::collections::BTreeSet;
use thiserror::Error;

pub const ALL: &str = "*";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventSelection {
    All,
    /// One or more types (never empty).
    Only(BTreeSet<EventType>),
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SelectionError {
    #[error("`events` must list at least one event type, or \"*\"")]
    Empty,
    #[error("`events` holds {0:?}, which is not an event type")]
    Unknown(String),
    #[error("`events` lists {0:?} more than once")]
    Repeated(String),
    #[error("`events` lists more than {} items", EventType::ALL.len())]
    TooMany,
}

impl EventSelection {
    /// `"*"` anywhere in the list selects every type (the contract allows
    /// it beside others; it means the same alone).
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<Self, SelectionError> {
        if items.is_empty() {
            return Err(SelectionError::Empty);
        }
        if items.len() > EventType::ALL.len() {
            return Err(SelectionError::TooMany);
        }
        let mut seen = BTreeSet::new();
        for item in items {
            if !seen.insert(item.as_ref()) {
                return Err(SelectionError::Repeated(item.as_ref().to_owned()));
            }
        }
        if items.iter().any(|i| i.as_ref() == ALL) {
            return Ok(EventSelection::All);
        }
        items
            .iter()
            .map(|i| {
                i.as_ref()
                    .parse::<EventType>()
                    .map_err(|_| SelectionError::Unknown(i.as_ref().to_owned()))
            })
            .collect::<Result<BTreeSet<_>, _>>()
            .map(EventSelection::Only)
    }

    pub fn includes(&self, event: EventType) -> bool {
        match self {
            EventSelection::All => true,
            EventSelection::Only(types) => types.contains(&event),
        }
    }

    /// As the API shows it: `["*"]`, or the wire names in a stable order.
    pub fn names(&self) -> Vec<&'static str> {
        match self {
            EventSelection::All => vec![ALL],
            EventSelection::Only(types) => types.iter().map(|t| t.as_str()).collect(),
        }
    }
}

/// Stored as the names joined by commas (`*` for all).
impl From<EventSelection> for String {
    fn from(s: EventSelection) -> String {
        s.names().join(",")
    }
}

impl TryFrom<String> for EventSelection {
    type Error = SelectionError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        let items: Vec<&str> = s.split(',').filter(|i| !i.is_empty()).collect();
        Self::parse(&items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_means_every_type() {
        let all = EventSelection::parse(&["*"]).unwrap();
        assert!(EventType::ALL.iter().all(|t| all.includes(*t)));
        assert_eq!(
            EventSelection::parse(&["invoice.issued", "*"]).unwrap(),
            EventSelection::All
        );
        assert_eq!(all.names(), vec!["*"]);
    }

    #[test]
    fn listed_types_only() {
        let s = EventSelection::parse(&["invoice.issued", "subscription.created"]).unwrap();
        assert!(s.includes(EventType::InvoiceIssued));
        assert!(!s.includes(EventType::LicensesAssigned));
        assert_eq!(s.names(), vec!["subscription.created", "invoice.issued"]);
    }

    #[test]
    fn empty_and_unknown_are_refused() {
        assert_eq!(
            EventSelection::parse::<&str>(&[]),
            Err(SelectionError::Empty)
        );
        assert_eq!(
            EventSelection::parse(&["invoice.paid"]),
            Err(SelectionError::Unknown("invoice.paid".into()))
        );
        assert_eq!(
            EventSelection::parse(&["*", "*"]),
            Err(SelectionError::Repeated("*".into()))
        );
        let mut every: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
        assert!(EventSelection::parse(&every).is_ok());
        every.push("*");
        assert_eq!(EventSelection::parse(&every), Err(SelectionError::TooMany));
    }

    #[test]
    fn stored_text_round_trips() {
        for s in [
            EventSelection::All,
            EventSelection::parse(&["licenses.assigned", "seats.threshold_reached"]).unwrap(),
        ] {
            assert_eq!(EventSelection::try_from(String::from(s.clone())), Ok(s));
        }
        assert!(EventSelection::try_from(String::new()).is_err());
    }
}
