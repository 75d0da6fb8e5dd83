-- The outbox (PRODUCT.md §8): every business change writes its event in the
-- same transaction as the change, so there is never an event without the
-- change nor a change without its event. `data` is the JSON text of the
-- resource as the API shows it after the change (a snapshot: later changes
-- write events of their own). `type` is one of the §8 wire names, checked by
-- the domain when read (a new type needs no migration).
--
-- `dispatched_at` is set by the delivery worker once the event has been fanned
-- out (notifications, webhook deliveries, e-mails) in the same transaction as
-- that fan-out; until then the partial index finds it cheaply, and a replica
-- that dies mid-dispatch leaves it undispatched for the next pass.
CREATE TABLE events (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    type TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    data TEXT NOT NULL,
    dispatched_at TIMESTAMP
);
CREATE INDEX events_undispatched ON events (created_at, id) WHERE dispatched_at IS NULL;
CREATE INDEX events_by_organization ON events (organization_id, created_at, id);
