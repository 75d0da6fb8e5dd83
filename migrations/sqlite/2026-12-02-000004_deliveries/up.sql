-- Webhook endpoints and the one delivery queue (PRODUCT.md §8).
--
-- The dispatcher turns each undispatched event into one delivery per
-- receiver (an enabled webhook endpoint subscribed to its type; with SMTP
-- configured, an invoice's billing e-mail and each notified person's
-- address) in the transaction that sets events.dispatched_at. The worker
-- claims due deliveries with a lease, sends outside any transaction
-- and records each attempt; every channel shares that claim/lease/retry code.

CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    url TEXT NOT NULL CHECK (length(url) <= 2048),
    description TEXT CHECK (description IS NULL OR length(description) <= 500),
    -- '*' or the subscribed wire names joined by commas (the domain checks them).
    events TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    -- Why it is off when the service switched it off ('failing'); NULL otherwise.
    disabled_reason TEXT CHECK (disabled_reason IS NULL OR disabled_reason IN ('failing')),
    -- HMAC keys: they must be readable to sign, so they are stored as they are
    -- (like any API credential the service itself presents). After a rotation
    -- the previous one signs too until previous_secret_expires_at.
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_expires_at TIMESTAMP,
    -- The first failure since the last success; a success clears it. Failing
    -- for 3 days switches the endpoint off.
    failing_since TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL))
);
CREATE INDEX webhook_endpoints_by_organization ON webhook_endpoints (organization_id, created_at, id);

CREATE TABLE deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    event_id TEXT NOT NULL REFERENCES events(id),
    channel TEXT NOT NULL CHECK (channel IN ('webhook', 'email')),
    -- The receiver: an endpoint for webhooks (its deliveries go with it), an
    -- address for e-mail.
    endpoint_id TEXT REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    recipient TEXT,
    -- An e-mail of an in-app notification (its title and summary); NULL on
    -- an e-mail for an invoice.issued event: the invoice with its PDF.
    notification_id TEXT REFERENCES notifications(id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- Due when pending and next_attempt_at has come and no live lease holds it.
    next_attempt_at TIMESTAMP NOT NULL,
    -- The worker that claimed it and until when; a worker that dies loses the
    -- claim when the lease runs out.
    lease_owner TEXT,
    leased_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    CHECK ((channel = 'webhook') = (endpoint_id IS NOT NULL)),
    CHECK ((channel = 'email') = (recipient IS NOT NULL)),
    CHECK (notification_id IS NULL OR channel = 'email'),
    CHECK ((status = 'delivered') = (delivered_at IS NOT NULL)),
    CHECK ((lease_owner IS NULL) = (leased_until IS NULL))
);
-- The worker's claim walks this.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
-- An endpoint's deliveries, newest first.
CREATE INDEX deliveries_by_endpoint ON deliveries (endpoint_id, created_at, id);
CREATE INDEX deliveries_by_event ON deliveries (event_id);

-- The log: one row per try, kept with its delivery.
CREATE TABLE delivery_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    -- The receiver's HTTP status; NULL when no answer came (timeout, refused, SSRF).
    status_code INTEGER,
    duration_ms BIGINT NOT NULL CHECK (duration_ms >= 0),
    succeeded BOOLEAN NOT NULL,
    error TEXT
);
CREATE INDEX delivery_attempts_by_delivery ON delivery_attempts (delivery_id, attempted_at, id);
