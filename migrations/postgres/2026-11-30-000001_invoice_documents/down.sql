ALTER TABLE billing_profiles DROP COLUMN tax_id;
ALTER TABLE billing_profiles DROP COLUMN invoice_language;
