package io.tunnelplane.control.persistence;

import io.tunnelplane.control.ControlPlaneConfiguration;
import io.tunnelplane.control.client.Client;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;

/** Just the control plane's entities and repositories, read as the application reads them, for the slice tests. */
@SpringBootApplication
@EntityScan(basePackageClasses = Client.class, basePackages = "io.tunnelplane.control")
@EnableJpaRepositories(basePackages = "io.tunnelplane.control",
        queryEnhancerSelector = ControlPlaneConfiguration.PlainQueries.class)
class PersistenceTestApplication {
}
