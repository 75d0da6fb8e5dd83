-- The lifecycle of a paid subscription that is not renewed (PRODUCT.md §8):
-- statuses `disabled` and `deleted` beside `expired`; `cancel_at` for a
-- cancellation at the end of the period; and suspended assignments (kept
-- while a subscription is disabled, given back by reactivation).
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_status_check;
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_status_check
    CHECK (status IN ('trial', 'active', 'canceled', 'expired', 'disabled', 'deleted'));
-- Canceled at the end of the period: the date it takes effect (the period's
-- end). Only an active subscription waits for one.
ALTER TABLE subscriptions ADD COLUMN cancel_at DATE;
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_cancel_at_active
    CHECK (cancel_at IS NULL OR status = 'active');

-- `suspended` while the subscription is disabled: the row is kept, but its
-- user holds no license (and subscriptions.assigned_count does not count it).
ALTER TABLE license_assignments
    ADD COLUMN state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'suspended'));
