-- Optional HTTP basic auth of an http proxy, checked by the server's virtual host: the user name and a salted
-- hash of the password (never the password itself).
ALTER TABLE proxy ADD COLUMN http_user VARCHAR(64);
ALTER TABLE proxy ADD COLUMN http_password_hash VARCHAR(120);
