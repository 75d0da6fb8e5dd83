-- Back to four statuses: disabled and deleted subscriptions read as expired.
PRAGMA foreign_keys = OFF;
BEGIN;
ALTER TABLE license_assignments DROP COLUMN state;
CREATE TABLE subscriptions_before_lifecycle (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    purchaser_id TEXT NOT NULL REFERENCES users(id),
    product_id TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('self_service', 'organization')),
    status TEXT NOT NULL CHECK (status IN ('trial', 'active', 'canceled', 'expired')),
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
    CHECK (assigned_count >= 0 AND assigned_count <= license_count)
);
INSERT INTO subscriptions_before_lifecycle (id, organization_id, purchaser_id, product_id, source, status, license_count, assigned_count, currency, billing_frequency, unit_price, current_period_start, current_period_end, period_anchor_day, trial_ends_on, purchased_on, auto_renew, billing_profile_id, payment_method_id, cancel_reason, cancel_feedback, canceled_at, version, created_at, updated_at)
    SELECT id, organization_id, purchaser_id, product_id, source, CASE WHEN status IN ('disabled', 'deleted') THEN 'expired' ELSE status END, license_count, assigned_count, currency, billing_frequency, unit_price, current_period_start, current_period_end, period_anchor_day, trial_ends_on, purchased_on, auto_renew, billing_profile_id, payment_method_id, cancel_reason, cancel_feedback, canceled_at, version, created_at, updated_at FROM subscriptions;
DROP TABLE subscriptions;
ALTER TABLE subscriptions_before_lifecycle RENAME TO subscriptions;
CREATE UNIQUE INDEX subscriptions_one_trial ON subscriptions (organization_id, purchaser_id, product_id) WHERE status = 'trial';
CREATE INDEX subscriptions_by_purchaser ON subscriptions (organization_id, purchaser_id, created_at, id);
CREATE INDEX subscriptions_by_organization ON subscriptions (organization_id, created_at, id);
CREATE INDEX subscriptions_due ON subscriptions (status, current_period_end);
CREATE INDEX subscriptions_trials_ending ON subscriptions (status, trial_ends_on);
CREATE INDEX subscriptions_by_profile ON subscriptions (billing_profile_id);
COMMIT;
PRAGMA foreign_keys = ON;
