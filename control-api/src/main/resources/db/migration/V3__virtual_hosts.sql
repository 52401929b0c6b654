-- HTTP and HTTPS virtual-host proxies: routed by host name (and, for HTTP, path prefix) on shared ports.
-- remote_port is 0 for them and active_remote_port stays NULL, so they never claim a port.
ALTER TABLE proxy ADD COLUMN custom_domains VARCHAR(2000);
ALTER TABLE proxy ADD COLUMN subdomain VARCHAR(63);
ALTER TABLE proxy ADD COLUMN locations VARCHAR(2000);
ALTER TABLE proxy ADD COLUMN host_header_rewrite VARCHAR(253);
