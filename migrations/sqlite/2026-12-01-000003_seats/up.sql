-- Seat changes (PRODUCT.md §9): binding quotes and the proration behaviour of
-- a billing profile.

-- A license-count preview, priced at `priced_at` and binding until
-- `expires_at` (15 minutes). A PATCH naming it is priced at `priced_at` and
-- must find the subscription still at `subscription_version` and ask for
-- `license_count`; `amount` (minor units of `currency`, negative for a
-- decrease credit) is what it charges. The version moves with every change,
-- so a quote can be used once. The billing run deletes old quotes.
CREATE TABLE quotes (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
    subscription_version BIGINT NOT NULL,
    license_count BIGINT NOT NULL CHECK (license_count >= 1),
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    priced_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    CHECK (expires_at > priced_at)
);
CREATE INDEX quotes_by_expiry ON quotes (expires_at);
CREATE INDEX quotes_by_subscription ON quotes (subscription_id);

-- When a profile pays for license increases: `invoice_now` (an invoice per
-- increase, as before) or `next_invoice` (a pending charge). Pending charges
-- live in `pending_credits` beside decrease credits, told apart by `kind`
-- (`prorated_increase` / `prorated_decrease_credit`): both are lines waiting
-- for the subscription's next invoice and are carried and settled alike.
ALTER TABLE billing_profiles
    ADD COLUMN proration_behavior TEXT NOT NULL DEFAULT 'invoice_now'
    CHECK (proration_behavior IN ('invoice_now', 'next_invoice'));
