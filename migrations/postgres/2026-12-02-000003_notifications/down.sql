ALTER TABLE payment_methods DROP COLUMN expiry_notified;
ALTER TABLE subscriptions DROP COLUMN seat_threshold;
DROP INDEX users_admins;
ALTER TABLE users DROP COLUMN is_admin;
DROP TABLE notifications;
