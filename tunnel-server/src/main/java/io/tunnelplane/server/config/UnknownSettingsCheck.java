package io.tunnelplane.server.config;

import io.tunnelplane.control.ControlPlaneProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Refuses to start when any property source (command line, configuration files, environment variables, system
 * properties) sets a {@code tunnel.*} name the server does not know: a misspelt {@code keepalive.tmie} would
 * otherwise run silently with the default, the failure this product exists to explain. Runs after the
 * configuration files are loaded and before anything binds or starts.
 */
public class UnknownSettingsCheck implements EnvironmentPostProcessor, Ordered {
    /** JVM-level switches read outside Spring's binding. */
    private static final List<String> SYSTEM_SWITCHES = List.of("tunnel.transport");

    /** The agent's TUNNEL_SERVER_PIN and TUNNEL_SERVER_CA, as Spring maps them. */
    private static final List<String> AGENT_VARIABLES = List.of("tunnel.server.pin", "tunnel.server.ca");

    static final KnownSettings KNOWN = new KnownSettings(
            Map.of("tunnel.server", TunnelServerProperties.class, "tunnel.api", ControlPlaneProperties.class),
            SYSTEM_SWITCHES);

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        List<UnknownSettingsException.Unknown> unknown = new ArrayList<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)) {
                continue;
            }
            boolean variables = source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource;
            KnownSettings.Lookup known = variables ? KNOWN.asVariables() : KNOWN.asWritten();
            iterable.stream().map(ConfigurationPropertyName::toString)
                    .filter(name -> variables ? isServerVariable(name)
                            : name.equals("tunnel") || name.startsWith("tunnel."))
                    .filter(name -> !known.isKnown(name))
                    .forEach(name -> unknown.add(new UnknownSettingsException.Unknown(name, origin(source),
                            known.closest(name).orElse(null))));
        }
        if (!unknown.isEmpty()) {
            throw new UnknownSettingsException(unknown);
        }
    }

    /**
     * Environment variables are shared with other programs: TUNNEL_TOKEN or TUNNEL_SERVER_CA may be there for an
     * agent on the same host, TUNNEL_TEST_* for the build. Only the server's own groups are checked there.
     */
    private static boolean isServerVariable(String name) {
        return (name.startsWith("tunnel.server.") || name.startsWith("tunnel.api."))
                && !AGENT_VARIABLES.contains(name);
    }

    private static String origin(ConfigurationPropertySource source) {
        return source.getUnderlyingSource() instanceof PropertySource<?> propertySource
                ? propertySource.getName() : String.valueOf(source.getUnderlyingSource());
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
