-- In-app notifications (PRODUCT.md §8), fanned out when the event is written:
-- in the same transaction as the change and its `events` row, one row per
-- recipient, so nothing is lost and no worker is needed to make them. The
-- e-mail delivery reads the rows of an event (`event_id`).
CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    recipient_id TEXT NOT NULL REFERENCES users(id),
    event_id TEXT NOT NULL REFERENCES events(id),
    event_type TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_by_recipient ON notifications (recipient_id, created_at, id);
CREATE INDEX notifications_unread ON notifications (recipient_id, created_at, id) WHERE read_at IS NULL;
CREATE INDEX notifications_by_event ON notifications (event_id);

-- Who the organisation's admins are, as their latest token said (`roles`),
-- refreshed at sign-in: notifications "to admins" go to these members.
ALTER TABLE users ADD COLUMN is_admin BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX users_admins ON users (organization_id) WHERE is_admin;

-- The highest seat-use threshold (0, 80 or 100 percent) already announced;
-- lower when use fell below it, so the next rise is announced again.
ALTER TABLE subscriptions ADD COLUMN seat_threshold INTEGER NOT NULL DEFAULT 0;

-- The expiry (`YYYY-MM`) a card was announced as expiring with: the billing
-- run announces a card once; a new expiry (an edit) can be announced again.
ALTER TABLE payment_methods ADD COLUMN expiry_notified TEXT;
