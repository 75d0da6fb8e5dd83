//! `seats.threshold_reached`: announced once per crossing of 80 % and 100 %
//! of a subscription's license count (`domain::seats`), after any change of
//! its seat use — an assignment, a growth, a new total.

use super::{facts_of, notices, Origin, Outbox};
use crate::error::Error;
use crate::subscriptions::View;
use domain::event::EventType;
use domain::seats::observe;
use domain::SubscriptionId;
use persistence::repos::announced;
use persistence::DbConnection;

impl Outbox {
    /// Call once a change of subscription `id`'s seats or total is complete
    /// (not between its steps: a growth followed by an assignment is one change).
    pub fn seats(
        &self,
        conn: &mut DbConnection,
        origin: &Origin,
        id: SubscriptionId,
    ) -> Result<(), Error> {
        let view = self.view(conn, origin, id)?;
        self.seats_of(conn, origin, &view)
    }

    /// [`Outbox::seats`] for a view already read in this transaction.
    pub(super) fn seats_of(
        &self,
        conn: &mut DbConnection,
        origin: &Origin,
        view: &View,
    ) -> Result<(), Error> {
        let stored = u8::try_from(view.loaded.row.seat_threshold)
            .map_err(|_| persistence::RepoError::corrupt("a seat threshold out of range"))?;
        let change = observe(
            stored,
            view.loaded.assigned(),
            view.loaded.row.license_count,
        );
        let Some(store) = change.store else {
            return Ok(());
        };
        // Conditional on the value read: of two changes racing, one announces.
        if !announced::set_seat_threshold(conn, view.loaded.row.id, stored, store)? {
            return Ok(());
        }
        let Some(threshold) = change.crossed else {
            return Ok(());
        };
        let data = self.shapes.seats(view, threshold)?;
        let kind = EventType::SeatsThresholdReached;
        self.record(conn, origin, kind, data, facts_of(view, origin), || {
            notices::seats(view, threshold)
        })
    }
}
