package io.tunnelplane.server.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * Which database the nodes share. Only PostgreSQL carries a cluster (presence and LISTEN/NOTIFY); H2, the
 * embedded default, is one node's own.
 */
@Component
public class ClusterDatabase {
    private final String product;

    public ClusterDatabase(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            this.product = connection.getMetaData().getDatabaseProductName();
        }
    }

    /** Whether several nodes may share this database. */
    public boolean shared() {
        return "PostgreSQL".equalsIgnoreCase(product);
    }

    public String product() {
        return product;
    }
}
