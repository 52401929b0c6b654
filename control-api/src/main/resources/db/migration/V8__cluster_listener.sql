-- The public listeners each node has open (a proxy id with its client), written with the node's heartbeat, so any
-- node can show a proxy's state on every node of the cluster.
create table cluster_listener (
    node_id     varchar(63) not null,
    proxy_id    bigint      not null,
    client_name varchar(63) not null,
    primary key (node_id, proxy_id),
    constraint fk_cluster_listener_node foreign key (node_id) references cluster_node (node_id) on delete cascade
);

create index ix_cluster_listener_client on cluster_listener (client_name);
