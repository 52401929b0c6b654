package io.tunnelplane.server.config;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;

/** Registers the cross-key validator that Boot applies to every {@code @ConfigurationProperties} bean. */
@Configuration(proxyBeanMethods = false)
public class ConfigurationValidation {
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    public static TunnelServerPropertiesValidator configurationPropertiesValidator() {
        return new TunnelServerPropertiesValidator();
    }
}
