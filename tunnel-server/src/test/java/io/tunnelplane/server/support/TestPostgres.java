package io.tunnelplane.server.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A schema of its own on the PostgreSQL named by {@code TUNNEL_TEST_POSTGRES_URL} (CI: the local server), for
 * tests of several server nodes sharing one database. Dropped on close.
 */
public final class TestPostgres implements AutoCloseable {
    private final String baseUrl;
    private final String user;
    private final String password;
    private final String schema = "tp_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    private TestPostgres(String baseUrl) throws SQLException {
        this.baseUrl = baseUrl;
        this.user = System.getenv().getOrDefault("TUNNEL_TEST_POSTGRES_USER", "postgres");
        this.password = System.getenv().getOrDefault("TUNNEL_TEST_POSTGRES_PASSWORD", "");
        execute("create schema " + schema);
    }

    /** A fresh schema; the test is skipped (with the reason) when no PostgreSQL is configured. */
    public static TestPostgres schema() throws SQLException {
        String url = System.getenv("TUNNEL_TEST_POSTGRES_URL");
        Assumptions.assumeTrue(url != null && !url.isBlank(),
                "set TUNNEL_TEST_POSTGRES_URL (CI: jdbc:postgresql://127.0.0.1:5432/test) for cluster tests");
        return new TestPostgres(url);
    }

    /** The JDBC URL every node of the test uses. */
    public String url() {
        return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public String schemaName() {
        return schema;
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(baseUrl, user, password);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    @Override
    public void close() throws SQLException {
        execute("drop schema if exists " + schema + " cascade");
    }
}
