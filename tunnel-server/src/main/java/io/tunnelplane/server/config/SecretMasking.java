package io.tunnelplane.server.config;

import java.util.Locale;
import java.util.Set;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Masks secrets wherever Actuator shows configuration values ({@code /actuator/configprops}): admin and client
 * tokens, database passwords, anything that looks like a credential. Boot shows values as they are otherwise.
 */
@Configuration(proxyBeanMethods = false)
public class SecretMasking {
    private static final Set<String> SECRET_WORDS = Set.of("token", "password", "secret", "credential", "key");

    @Bean
    SanitizingFunction maskSecrets() {
        return data -> {
            String key = data.getKey().toLowerCase(Locale.ROOT);
            boolean secret = SECRET_WORDS.stream().anyMatch(key::contains) || key.contains("url")
                    && String.valueOf(data.getValue()).contains("password=");
            return secret ? data.withValue("******") : data;
        };
    }
}
