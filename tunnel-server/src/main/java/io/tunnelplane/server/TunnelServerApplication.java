package io.tunnelplane.server;

import io.tunnelplane.control.ControlPlaneConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Import;

/** The server: the tunnel engine ({@code io.tunnelplane.server}) running the control plane it imports. */
@SpringBootApplication
@ConfigurationPropertiesScan
@Import(ControlPlaneConfiguration.class)
public class TunnelServerApplication {
    public static void main(String[] args) {
        SpringApplication.run(TunnelServerApplication.class, args);
    }
}
