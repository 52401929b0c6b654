-- What the diagnosis needs to tell a middlebox from a queue: how long the session had heard nothing when it
-- ended, and the keepalive settings it ran with.
alter table connection_event add column silence_ms bigint;
alter table connection_event add column keepalive_time_ms bigint;
alter table connection_event add column keepalive_timeout_ms bigint;
