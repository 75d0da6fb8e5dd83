-- The lifecycle of a paid subscription that is not renewed (PRODUCT.md §8):
-- statuses `disabled` and `deleted` beside `expired`; `cancel_at` for a
-- cancellation at the end of the period; and suspended assignments (kept
-- while a subscription is disabled, given back by reactivation).
--
-- SQLite cannot change a CHECK in place: the table is rebuilt ("making other
-- kinds of table schema changes" in SQLite's ALTER TABLE documentation).
-- Other tables reference subscriptions(id), so foreign keys are off during
-- the rebuild, which PRAGMA allows only outside a transaction: this
-- migration runs outside diesel's (metadata.toml) and brings its own.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE subscriptions_lifecycle (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    purchaser_id TEXT NOT NULL REFERENCES users(id),
    product_id TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('self_service', 'organization')),
    status TEXT NOT NULL CHECK (status IN ('trial', 'active', 'canceled', 'expired', 'disabled', 'deleted')),
    license_count BIGINT NOT NULL CHECK (license_count >= 1),
    -- Kept in step with the active rows of license_assignments inside every
    -- assigning transaction; the CHECK is the last line of defence against overselling.
    assigned_count BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL,
    billing_frequency TEXT CHECK (billing_frequency IN ('monthly', 'annual')),
    unit_price BIGINT,
    current_period_start DATE,
    current_period_end DATE,
    period_anchor_day INTEGER,
    trial_ends_on DATE,
    purchased_on DATE,
    auto_renew BOOLEAN NOT NULL,
    billing_profile_id TEXT REFERENCES billing_profiles(id),
    payment_method_id TEXT REFERENCES payment_methods(id),
    cancel_reason TEXT,
    cancel_feedback TEXT,
    canceled_at TIMESTAMP,
    -- Optimistic concurrency: the ETag. Every change increments it.
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- Canceled at the end of the period: the date it takes effect (the
    -- period's end). Only an active subscription waits for one.
    cancel_at DATE,
    CHECK (assigned_count >= 0 AND assigned_count <= license_count),
    CONSTRAINT subscriptions_cancel_at_active CHECK (cancel_at IS NULL OR status = 'active')
);
INSERT INTO subscriptions_lifecycle (id, organization_id, purchaser_id, product_id, source, status, license_count, assigned_count, currency, billing_frequency, unit_price, current_period_start, current_period_end, period_anchor_day, trial_ends_on, purchased_on, auto_renew, billing_profile_id, payment_method_id, cancel_reason, cancel_feedback, canceled_at, version, created_at, updated_at)
    SELECT id, organization_id, purchaser_id, product_id, source, status, license_count, assigned_count, currency, billing_frequency, unit_price, current_period_start, current_period_end, period_anchor_day, trial_ends_on, purchased_on, auto_renew, billing_profile_id, payment_method_id, cancel_reason, cancel_feedback, canceled_at, version, created_at, updated_at FROM subscriptions;
DROP TABLE subscriptions;
ALTER TABLE subscriptions_lifecycle RENAME TO subscriptions;
CREATE UNIQUE INDEX subscriptions_one_trial ON subscriptions (organization_id, purchaser_id, product_id) WHERE status = 'trial';
CREATE INDEX subscriptions_by_purchaser ON subscriptions (organization_id, purchaser_id, created_at, id);
CREATE INDEX subscriptions_by_organization ON subscriptions (organization_id, created_at, id);
CREATE INDEX subscriptions_due ON subscriptions (status, current_period_end);
CREATE INDEX subscriptions_trials_ending ON subscriptions (status, trial_ends_on);
CREATE INDEX subscriptions_by_profile ON subscriptions (billing_profile_id);

-- `suspended` while the subscription is disabled: the row is kept, but its
-- user holds no license (and subscriptions.assigned_count does not count it).
ALTER TABLE license_assignments
    ADD COLUMN state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'suspended'));
COMMIT;
PRAGMA foreign_keys = ON;
