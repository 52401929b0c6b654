package io.tunnelplane.control;

import java.time.Clock;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Wires the control plane into whichever application runs it: its components, entities and repositories. */
@Configuration(proxyBeanMethods = false)
@ComponentScan
@ConfigurationPropertiesScan
@AutoConfigurationPackage
@EnableScheduling
public class ControlPlaneConfiguration {
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
