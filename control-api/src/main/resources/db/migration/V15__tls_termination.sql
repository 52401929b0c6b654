-- HTTPS proxies may end TLS at the server (tls_mode 'terminate', with a certificate the server holds) instead of
-- passing it through to the local service; http proxies may send their visitors to https.
ALTER TABLE proxy ADD COLUMN tls_mode VARCHAR(16);
ALTER TABLE proxy ADD COLUMN redirect_to_https BOOLEAN DEFAULT FALSE NOT NULL;

-- The certificate of each domain the server terminates TLS for: issued by the ACME CA or uploaded by an operator,
-- shared by every node. next_attempt doubles as a claim: the node that moves it forward works on the domain.
CREATE TABLE site_certificate (
    domain VARCHAR(253) PRIMARY KEY,
    certificate_chain TEXT,
    private_key TEXT,
    issuer VARCHAR(500),
    not_before TIMESTAMP WITH TIME ZONE,
    not_after TIMESTAMP WITH TIME ZONE,
    source VARCHAR(16) NOT NULL,
    failures INTEGER DEFAULT 0 NOT NULL,
    last_error VARCHAR(2000),
    next_attempt TIMESTAMP WITH TIME ZONE,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The ACME account (one per directory URL), so that a restart or another node does not register again.
CREATE TABLE acme_account (
    directory_url VARCHAR(500) PRIMARY KEY,
    key_pair TEXT NOT NULL,
    account_url VARCHAR(500)
);

-- HTTP-01 answers while an order is validated: whichever node the CA reaches answers it.
CREATE TABLE acme_challenge (
    token VARCHAR(200) PRIMARY KEY,
    key_authorization VARCHAR(500) NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);
