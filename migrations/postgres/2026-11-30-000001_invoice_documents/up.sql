-- Invoice documents: the language a profile's invoices are written in, and the
-- buyer's optional tax number. Both are copied into each invoice's bill_to
-- snapshot when it is issued (invoices.bill_to is JSON), so an issued invoice
-- never changes when the profile does; no invoice column is needed.
ALTER TABLE billing_profiles
    ADD COLUMN invoice_language TEXT NOT NULL DEFAULT 'en' CHECK (invoice_language IN ('en', 'pl'));
ALTER TABLE billing_profiles ADD COLUMN tax_id TEXT;
