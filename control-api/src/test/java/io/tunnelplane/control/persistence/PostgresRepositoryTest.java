package io.tunnelplane.control.persistence;

import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The contract on a real PostgreSQL: the server named by {@code TUNNEL_TEST_POSTGRES_URL} (CI sets it to the local
 * server), else a Testcontainers PostgreSQL when Docker is available. Each run gets its own schema.
 */
@DataJpaTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
class PostgresRepositoryTest extends RepositoryContract {
    private static final String SCHEMA = "tp_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private static PostgreSQLContainer container;

    @BeforeAll
    static void requirePostgres() {
        Assumptions.assumeTrue(configuredUrl() != null || dockerAvailable(),
                "set TUNNEL_TEST_POSTGRES_URL or run Docker to test against PostgreSQL");
    }

    private static String configuredUrl() {
        String url = System.getenv("TUNNEL_TEST_POSTGRES_URL");
        return url == null || url.isBlank() ? null : url;
    }

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        String url = configuredUrl();
        String user = System.getenv().getOrDefault("TUNNEL_TEST_POSTGRES_USER", "postgres");
        String password = System.getenv().getOrDefault("TUNNEL_TEST_POSTGRES_PASSWORD", "");
        if (url == null) {
            if (!dockerAvailable()) {
                return; // requirePostgres() skips the class
            }
            container = new PostgreSQLContainer("postgres:16-alpine");
            container.start();
            url = container.getJdbcUrl();
            user = container.getUsername();
            password = container.getPassword();
        }
        String jdbcUrl = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA;
        registry.add("spring.datasource.url", () -> jdbcUrl);
        String finalUser = user;
        String finalPassword = password;
        registry.add("spring.datasource.username", () -> finalUser);
        registry.add("spring.datasource.password", () -> finalPassword);
        registry.add("spring.flyway.schemas", () -> SCHEMA);
        registry.add("spring.jpa.hibernate.ddl-auto", () -> "validate");
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @AfterAll
    static void dropSchema() throws Exception {
        if (container != null) {
            container.stop();
            return;
        }
        String url = configuredUrl();
        if (url == null) {
            return;
        }
        try (var connection = java.sql.DriverManager.getConnection(url,
                System.getenv().getOrDefault("TUNNEL_TEST_POSTGRES_USER", "postgres"),
                System.getenv().getOrDefault("TUNNEL_TEST_POSTGRES_PASSWORD", ""));
                var statement = connection.createStatement()) {
            statement.execute("drop schema if exists " + SCHEMA + " cascade");
        }
    }
}
