DROP TABLE license_request_users;
DROP TABLE license_requests;
DROP TABLE organization_settings;
