-- The agent may speak TLS to a proxy's local service (an HTTPS-only service behind an http proxy, or behind TLS
-- the server ended).
ALTER TABLE proxy ADD COLUMN backend_tls BOOLEAN DEFAULT FALSE NOT NULL;
