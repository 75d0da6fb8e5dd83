ALTER TABLE license_assignments ALTER COLUMN subscription_id RESET (n_distinct);
ANALYZE license_assignments;
