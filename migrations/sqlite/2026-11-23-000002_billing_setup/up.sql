-- Billing accounts, billing profiles, payment methods (no card number or
-- security code is ever stored), and idempotency records.
CREATE TABLE billing_accounts (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    owner_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- One billing account per purchaser, even under concurrent first use.
    UNIQUE (organization_id, owner_id)
);

CREATE TABLE payment_methods (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    owner_id TEXT NOT NULL REFERENCES users(id),
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL CHECK (length(last4) = 4),
    exp_month INTEGER NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
    exp_year INTEGER NOT NULL,
    holder_name TEXT NOT NULL,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT,
    address_city TEXT NOT NULL,
    address_postal_code TEXT NOT NULL,
    address_region TEXT,
    address_country TEXT NOT NULL,
    -- HMAC-SHA256 of the number under SELFSERVE_CARD_FINGERPRINT_KEY: spots duplicates, reveals nothing.
    fingerprint TEXT NOT NULL,
    cvc_check TEXT NOT NULL CHECK (cvc_check IN ('pass', 'unchecked')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE UNIQUE INDEX payment_methods_one_per_card ON payment_methods (owner_id, fingerprint) WHERE deleted_at IS NULL;
CREATE INDEX payment_methods_by_owner ON payment_methods (organization_id, owner_id, created_at, id);

CREATE TABLE billing_profiles (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts(id),
    owner_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    bill_to_line1 TEXT NOT NULL,
    bill_to_line2 TEXT,
    bill_to_city TEXT NOT NULL,
    bill_to_postal_code TEXT NOT NULL,
    bill_to_region TEXT,
    bill_to_country TEXT NOT NULL,
    invoice_email TEXT NOT NULL,
    po_number TEXT,
    payment_method_id TEXT REFERENCES payment_methods(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX billing_profiles_by_account ON billing_profiles (billing_account_id, created_at, id);
CREATE INDEX billing_profiles_by_payment_method ON billing_profiles (payment_method_id);

CREATE TABLE idempotency_keys (
    owner_id TEXT NOT NULL REFERENCES users(id),
    idempotency_key TEXT NOT NULL,
    -- Keyed hash of method, path and body: the body itself is never kept.
    request_hash TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('in_progress', 'completed')),
    locked_until TIMESTAMP NOT NULL,
    response_status INTEGER,
    response_body TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (owner_id, idempotency_key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
