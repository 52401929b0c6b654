-- How many connections the agent keeps to the node holding the session (its set's share of that node), so any
-- node can tell whether a client's sessions elsewhere are all up.
alter table cluster_session add column wanted integer default 1 not null;
