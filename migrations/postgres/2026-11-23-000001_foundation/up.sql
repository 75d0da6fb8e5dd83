-- Foundation: organisations, the directory, self-service policies, audit history.
-- Ids are UUID text, timestamps UTC, so one diesel schema serves SQLite and PostgreSQL.
CREATE TABLE organizations (
    id TEXT PRIMARY KEY NOT NULL,
    -- Next invoice number; incremented inside the issuing transaction (row lock on PostgreSQL).
    next_invoice_number BIGINT NOT NULL DEFAULT 1 CHECK (next_invoice_number >= 1),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    -- The token `sub` once the person has signed in; NULL for members an admin added ahead of sign-in.
    subject TEXT,
    display_name TEXT NOT NULL,
    display_name_key TEXT NOT NULL,
    email TEXT,
    email_key TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (organization_id, subject),
    UNIQUE (organization_id, email_key)
);
CREATE INDEX users_directory_order ON users (organization_id, display_name_key, id);

CREATE TABLE self_service_policies (
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    product_id TEXT NOT NULL,
    policy TEXT NOT NULL CHECK (policy IN ('enabled', 'disabled', 'trials_only')),
    updated_by TEXT NOT NULL REFERENCES users(id),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (organization_id, product_id)
);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    -- NULL when the system acted (the billing run).
    actor_id TEXT REFERENCES users(id),
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    subscription_id TEXT,
    before_state TEXT,
    after_state TEXT,
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_events_by_target ON audit_events (organization_id, target_type, target_id, occurred_at);
