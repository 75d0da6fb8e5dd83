ALTER TABLE billing_profiles DROP COLUMN proration_behavior;
DROP INDEX quotes_by_subscription;
DROP INDEX quotes_by_expiry;
DROP TABLE quotes;
