DROP TABLE idempotency_keys;
DROP TABLE billing_profiles;
DROP TABLE payment_methods;
DROP TABLE billing_accounts;
