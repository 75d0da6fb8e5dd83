-- The `iat` of the newest token whose name and e-mail the member row shows:
-- an older token never undoes a newer one.
ALTER TABLE users ADD COLUMN profile_iat BIGINT;

-- A sign-in never gives a member an e-mail another member of the
-- organisation holds (in any case). Earlier versions kept such an address on
-- the new member without its key; it goes, so the index below can hold.
UPDATE users SET email = NULL WHERE email_key IS NULL;

-- `email_key` (lower-cased by the service, unique per organisation since the
-- foundation) stays the lookup key; this index makes the database itself
-- refuse two spellings of one address, whatever code writes the row.
CREATE UNIQUE INDEX users_email_lower ON users (organization_id, lower(email));
