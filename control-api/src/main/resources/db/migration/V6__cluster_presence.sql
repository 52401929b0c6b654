-- Presence of the server nodes sharing this database and of the agent sessions each one holds. Each node
-- rewrites its own rows on a heartbeat; rows of a node whose heartbeat is older than its expiry are ignored and
-- then deleted by any live node. Times are the database's clock, so nodes' clocks may differ.
create table cluster_node (
    node_id           varchar(63)  not null primary key,
    advertise_address varchar(300),
    version           varchar(64)  not null,
    started_at        timestamp with time zone not null,
    heartbeat_at      timestamp with time zone not null,
    sessions          integer      not null
);

create table cluster_session (
    session_id     varchar(64)  not null primary key,
    node_id        varchar(63)  not null,
    client_name    varchar(63)  not null,
    connection_id  varchar(64)  not null,
    since          timestamp with time zone not null,
    remote_address varchar(100),
    constraint fk_cluster_session_node foreign key (node_id) references cluster_node (node_id) on delete cascade
);

create index ix_cluster_session_client on cluster_session (client_name);
