package io.tunnelplane.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class TunnelServerApplication {
    public static void main(String[] args) {
        SpringApplication.run(TunnelServerApplication.class, args);
    }
}
