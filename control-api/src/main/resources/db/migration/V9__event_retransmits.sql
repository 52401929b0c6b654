-- Evidence of packet loss for the diagnosis: segments the server's kernel retransmitted while the path still
-- answered probes (null where the transport cannot tell).
alter table connection_event add column retransmits bigint;
