//! `payment_method.expiring`: every live card whose last valid day is at
//! most 30 days away is announced to its owner once — once per card and
//! expiry: a marker on the card stores the expiry announced, so another run
//! says nothing and an edited expiry can be announced again. Run by the
//! billing run, one card per transaction.

use super::{notices, Origin, Outbox};
use crate::error::Error;
use chrono::{DateTime, NaiveDate, Utc};
use domain::card::{CardExpiry, EXPIRY_NOTICE_DAYS};
use domain::event::EventType;
use domain::notification::Facts;
use persistence::repos::announced;
use persistence::rows::PaymentMethodRow;
use persistence::{write_transaction, DbConnection};

/// Announces the cards expiring soon as of `today`; answers how many.
pub fn announce_expiring_cards(
    conn: &mut DbConnection,
    outbox: &Outbox,
    today: NaiveDate,
    at: DateTime<Utc>,
) -> Result<usize, Error> {
    let months = CardExpiry::months_ending_within(today, EXPIRY_NOTICE_DAYS);
    let mut announced = 0;
    for card in announced::cards_expiring_in(conn, &months)? {
        let expiry = CardExpiry::stored(i64::from(card.exp_month), i64::from(card.exp_year))
            .map_err(|e| Error::internal(format!("stored card expiry invalid: {e}")))?;
        if !expiry.ends_within(today, EXPIRY_NOTICE_DAYS) {
            continue;
        }
        let told = write_transaction(conn, |conn| {
            outbox.card_expiring(conn, &card, expiry, today, at)
        })?;
        announced += usize::from(told);
    }
    Ok(announced)
}

impl Outbox {
    fn card_expiring(
        &self,
        conn: &mut DbConnection,
        card: &PaymentMethodRow,
        expiry: CardExpiry,
        today: NaiveDate,
        at: DateTime<Utc>,
    ) -> Result<bool, Error> {
        // The marker moves only from another value: a second (or a concurrent)
        // run finds it set and announces nothing.
        if !announced::mark_card_expiry(conn, card.id, &expiry.to_string())? {
            return Ok(false);
        }
        let origin = Origin::system(card.organization_id, at);
        let data = self.shapes.payment_method(card, today)?;
        let facts = Facts {
            owner: Some(card.owner_id),
            ..Facts::default()
        };
        self.record(
            conn,
            &origin,
            EventType::PaymentMethodExpiring,
            data,
            facts,
            || notices::card(card),
        )?;
        Ok(true)
    }
}
