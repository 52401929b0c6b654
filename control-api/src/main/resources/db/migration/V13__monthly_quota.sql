-- An optional traffic quota per client and calendar month (bytes, both directions), and what each client moved
-- in each month, summed over all nodes.
ALTER TABLE client ADD COLUMN monthly_quota BIGINT;
CREATE TABLE client_traffic (
    client_id BIGINT NOT NULL REFERENCES client (id) ON DELETE CASCADE,
    traffic_month VARCHAR(7) NOT NULL,
    bytes BIGINT NOT NULL,
    PRIMARY KEY (client_id, traffic_month)
);
