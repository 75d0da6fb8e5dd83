-- Admin governance (PRODUCT.md §7): organisation settings and license requests.
-- Organisation subscriptions need no new column: subscriptions.source already
-- allows 'organization', and cancel_reason is unconstrained text, so
-- 'taken_over_by_admin' fits as it is.

-- One row per organisation once an admin has changed something; no row means
-- every default (self-service enabled, requests accepted here, no URL, no cap).
CREATE TABLE organization_settings (
    organization_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations(id),
    -- The policy of every product without its own row in self_service_policies,
    -- including products added to the catalog later.
    default_policy TEXT NOT NULL DEFAULT 'enabled' CHECK (default_policy IN ('enabled', 'disabled', 'trials_only')),
    license_requests TEXT NOT NULL DEFAULT 'enabled' CHECK (license_requests IN ('enabled', 'disabled')),
    -- Members are sent here: https only (the service checks the rest of the shape).
    license_request_url TEXT CHECK (license_request_url IS NULL OR lower(substr(license_request_url, 1, 8)) = 'https://'),
    -- Per purchaser per calendar month (UTC), in minor units of spend_cap_currency.
    spend_cap_amount BIGINT CHECK (spend_cap_amount IS NULL OR spend_cap_amount >= 0),
    spend_cap_currency TEXT CHECK (spend_cap_currency IS NULL OR length(spend_cap_currency) = 3),
    -- Optimistic concurrency for PATCH, like subscriptions.version.
    version BIGINT NOT NULL DEFAULT 1,
    updated_by TEXT NOT NULL REFERENCES users(id),
    updated_at TIMESTAMP NOT NULL,
    -- A cap is an amount and its currency, or nothing.
    CHECK ((spend_cap_amount IS NULL) = (spend_cap_currency IS NULL))
);

CREATE TABLE license_requests (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    requester_id TEXT NOT NULL REFERENCES users(id),
    product_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'partially_approved', 'denied')),
    -- Characters, not bytes, on both backends.
    message TEXT CHECK (message IS NULL OR length(message) <= 500),
    decided_by TEXT REFERENCES users(id),
    decided_at TIMESTAMP,
    -- The subscription an approval assigned from; NULL for a denial.
    decision_subscription_id TEXT REFERENCES subscriptions(id),
    decision_message TEXT CHECK (decision_message IS NULL OR length(decision_message) <= 500),
    created_at TIMESTAMP NOT NULL,
    -- Decided exactly when a decider and a time are recorded; only an approval names a subscription.
    CHECK ((status = 'pending') = (decided_by IS NULL)),
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK (decision_subscription_id IS NULL OR status IN ('approved', 'partially_approved'))
);
-- One pending request per requester and product, even under concurrent asks (409 license_request_pending).
CREATE UNIQUE INDEX license_requests_one_pending ON license_requests (organization_id, requester_id, product_id) WHERE status = 'pending';
CREATE INDEX license_requests_by_organization ON license_requests (organization_id, created_at, id);
CREATE INDEX license_requests_by_requester ON license_requests (organization_id, requester_id, created_at, id);
-- The billing run purges requests older than 12 months.
CREATE INDEX license_requests_by_age ON license_requests (created_at);

-- The users a request names (1 to 20, checked by the service) and what the
-- decision meant for each. Deleted with their request by the purge.
CREATE TABLE license_request_users (
    request_id TEXT NOT NULL REFERENCES license_requests(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id),
    -- The requester's order, so an approval assigns in it.
    position INTEGER NOT NULL CHECK (position BETWEEN 0 AND 19),
    outcome TEXT NOT NULL CHECK (outcome IN ('pending', 'approved', 'denied')),
    PRIMARY KEY (request_id, user_id),
    UNIQUE (request_id, position)
);
CREATE INDEX license_request_users_by_user ON license_request_users (user_id);
