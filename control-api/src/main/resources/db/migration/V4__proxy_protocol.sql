-- PROXY protocol v2 towards the local service: 'v2', or NULL for none.
ALTER TABLE proxy ADD COLUMN proxy_protocol VARCHAR(8);
