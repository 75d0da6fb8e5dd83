DROP TABLE pending_credits;
DROP TABLE invoice_lines;
DROP TABLE invoices;
DROP TABLE license_assignments;
DROP TABLE subscriptions;
