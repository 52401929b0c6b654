-- Single sign-on in front of http proxies: the server's identity provider a proxy sends visitors to, and who may
-- pass (comma-separated; all empty: anyone the provider signs in).
ALTER TABLE proxy ADD COLUMN sso_provider VARCHAR(64);
ALTER TABLE proxy ADD COLUMN sso_allow_emails VARCHAR(4000);
ALTER TABLE proxy ADD COLUMN sso_allow_domains VARCHAR(4000);
ALTER TABLE proxy ADD COLUMN sso_allow_groups VARCHAR(4000);

-- The keys that seal visitors' sign-on cookies, shared by every node: the newest active key seals new cookies,
-- every key kept opens them, so a rotation logs nobody out.
CREATE TABLE sso_key (
    id BIGINT PRIMARY KEY,
    secret VARCHAR(64) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    active_from TIMESTAMP WITH TIME ZONE NOT NULL
);
