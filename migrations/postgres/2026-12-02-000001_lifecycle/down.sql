-- Back to four statuses: disabled and deleted subscriptions read as expired.
ALTER TABLE license_assignments DROP COLUMN state;
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_cancel_at_active;
ALTER TABLE subscriptions DROP COLUMN cancel_at;
UPDATE subscriptions SET status = 'expired' WHERE status IN ('disabled', 'deleted');
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_status_check;
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_status_check
    CHECK (status IN ('trial', 'active', 'canceled', 'expired'));
