package io.tunnelplane.control.quota;

import java.time.YearMonth;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Each client's traffic per calendar month (UTC), summed over every node in the shared database (plain SQL that
 * runs on H2 and PostgreSQL): nodes add what their relays moved, and read who is over its monthly quota. A new
 * month starts a new row, so a quota "resets" at the month boundary without anyone resetting it.
 */
@Repository
public class TrafficQuotas {
    private final JdbcTemplate jdbc;

    public TrafficQuotas(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Adds bytes moved (both directions) by client name; unknown names (deleted meanwhile) are skipped. */
    public void add(Map<String, Long> bytesByClient, YearMonth month) {
        bytesByClient.forEach((client, bytes) -> {
            if (bytes > 0) {
                add(client, bytes, month.toString());
            }
        });
    }

    private void add(String client, long bytes, String month) {
        String update = "update client_traffic set bytes = bytes + ? where traffic_month = ? and client_id ="
                + " (select id from client where name = ?)";
        if (jdbc.update(update, bytes, month, client) > 0) {
            return;
        }
        try {
            jdbc.update("insert into client_traffic (client_id, traffic_month, bytes)"
                    + " select id, ?, ? from client where name = ?", month, bytes, client);
        } catch (DuplicateKeyException anotherNodeFirst) {
            jdbc.update(update, bytes, month, client);
        }
    }

    /** Bytes the client moved in {@code month}. */
    public long used(long clientId, YearMonth month) {
        return Optional.ofNullable(jdbc.query("select bytes from client_traffic where client_id = ?"
                + " and traffic_month = ?", rs -> rs.next() ? rs.getLong(1) : null, clientId, month.toString()))
                .orElse(0L);
    }

    /** Names of the clients that moved at least their monthly quota in {@code month}. */
    public Set<String> overQuota(YearMonth month) {
        return new HashSet<>(jdbc.queryForList("select c.name from client c join client_traffic t on t.client_id ="
                + " c.id where t.traffic_month = ? and c.monthly_quota is not null and t.bytes >= c.monthly_quota",
                String.class, month.toString()));
    }
}
