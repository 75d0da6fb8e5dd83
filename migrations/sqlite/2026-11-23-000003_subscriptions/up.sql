-- Subscriptions, their license assignments, invoices and pending credits.
CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    purchaser_id TEXT NOT NULL REFERENCES users(id),
    product_id TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('self_service', 'organization')),
    status TEXT NOT NULL CHECK (status IN ('trial', 'active', 'canceled', 'expired')),
    license_count BIGINT NOT NULL CHECK (license_count >= 1),
    -- Kept in step with license_assignments inside every assigning transaction;
    -- the CHECK is the last line of defence against overselling.
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
-- One live trial per product per purchaser.
CREATE UNIQUE INDEX subscriptions_one_trial ON subscriptions (organization_id, purchaser_id, product_id) WHERE status = 'trial';
CREATE INDEX subscriptions_by_purchaser ON subscriptions (organization_id, purchaser_id, created_at, id);
CREATE INDEX subscriptions_by_organization ON subscriptions (organization_id, created_at, id);
CREATE INDEX subscriptions_due ON subscriptions (status, current_period_end);
CREATE INDEX subscriptions_trials_ending ON subscriptions (status, trial_ends_on);
CREATE INDEX subscriptions_by_profile ON subscriptions (billing_profile_id);

CREATE TABLE license_assignments (
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    assigned_by TEXT NOT NULL REFERENCES users(id),
    assigned_at TIMESTAMP NOT NULL,
    PRIMARY KEY (subscription_id, user_id)
);
CREATE INDEX license_assignments_by_user ON license_assignments (organization_id, user_id);
CREATE INDEX license_assignments_page ON license_assignments (subscription_id, assigned_at, user_id);

CREATE TABLE invoices (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    owner_id TEXT NOT NULL REFERENCES users(id),
    -- Sequential per organisation, from organizations.next_invoice_number.
    number BIGINT NOT NULL,
    billing_profile_id TEXT NOT NULL REFERENCES billing_profiles(id),
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
    reason TEXT NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    issue_date DATE NOT NULL,
    due_date DATE NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('due', 'paid', 'credited')),
    currency TEXT NOT NULL,
    subtotal BIGINT NOT NULL,
    tax BIGINT NOT NULL,
    total BIGINT NOT NULL,
    -- The bill-to as it was when issued (profile name, address, e-mail, PO): an invoice never changes.
    bill_to TEXT NOT NULL,
    -- Set for renewals: one renewal invoice per subscription and period, enforced here.
    renewal_key TEXT UNIQUE,
    UNIQUE (organization_id, number)
);
CREATE INDEX invoices_by_owner ON invoices (organization_id, owner_id, issue_date, number);
CREATE INDEX invoices_by_subscription ON invoices (subscription_id);

CREATE TABLE invoice_lines (
    invoice_id TEXT NOT NULL REFERENCES invoices(id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
    quantity BIGINT NOT NULL,
    unit_amount BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    PRIMARY KEY (invoice_id, position)
);
CREATE INDEX invoice_lines_by_subscription ON invoice_lines (subscription_id, period_start);

-- Credits from license decreases, waiting for the subscription's next invoice.
CREATE TABLE pending_credits (
    id TEXT PRIMARY KEY NOT NULL,
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_amount BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    invoice_id TEXT REFERENCES invoices(id)
);
CREATE INDEX pending_credits_open ON pending_credits (subscription_id, invoice_id);
