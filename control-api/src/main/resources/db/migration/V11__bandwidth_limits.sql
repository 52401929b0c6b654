-- Bandwidth limits, now enforced: a proxy's (renamed from bandwidth_limit_bytes, which was stored but never
-- enforced) and a client's for all its proxies together; bytes per second each way, null for none.
ALTER TABLE proxy ADD COLUMN bandwidth_limit BIGINT;
UPDATE proxy SET bandwidth_limit = bandwidth_limit_bytes;
ALTER TABLE proxy DROP COLUMN bandwidth_limit_bytes;
ALTER TABLE client ADD COLUMN bandwidth_limit BIGINT;
