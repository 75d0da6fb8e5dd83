DROP TABLE audit_events;
DROP TABLE self_service_policies;
DROP TABLE users;
DROP TABLE organizations;
