package io.tunnelplane.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** A setting the server does not know stops start-up, naming it, where it was set and the setting it meant. */
class UnknownSettingsCheckTest {

    @Configuration(proxyBeanMethods = false)
    static class Nothing {
    }

    private static ConfigurableApplicationContext start(StandardEnvironment environment, String... args) {
        SpringApplicationBuilder builder = new SpringApplicationBuilder(Nothing.class).web(WebApplicationType.NONE)
                .logStartupInfo(false);
        if (environment != null) {
            builder.environment(environment);
        }
        return builder.run(args);
    }

    /** An environment whose variables are exactly {@code variables} (instead of this machine's). */
    private static StandardEnvironment withVariables(Map<String, Object> variables) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        variables));
        return environment;
    }

    @Test
    void aMisspeltCommandLineKeyRefusesToStartAndSuggestsTheKnownOne() {
        assertThatThrownBy(() -> start(null, "--tunnel.server.keepalive.tmie=5s"))
                .isInstanceOf(UnknownSettingsException.class)
                .hasMessageContaining("tunnel.server.keepalive.tmie (set in commandLineArgs) is not a setting")
                .hasMessageContaining("did you mean tunnel.server.keepalive.time?");
    }

    @Test
    void aMisspeltEnvironmentVariableIsCaughtToo() {
        StandardEnvironment environment = withVariables(Map.of("TUNNEL_SERVER_KEEPALIVE_TIMEOT", "5s"));
        assertThatThrownBy(() -> start(environment))
                .hasMessageContaining("tunnel.server.keepalive.timeot (set in systemEnvironment)")
                .hasMessageContaining("did you mean tunnel.server.keepalive.timeout?");
    }

    @Test
    void variablesForDashedAndListKeysAreKnownInBothSpellings() {
        StandardEnvironment environment = withVariables(Map.of("TUNNEL_SERVER_NODE_ID", "node-a",
                "TUNNEL_SERVER_ADVERTISEADDRESS", "a:7000",
                "TUNNEL_SERVER_CLIENTS_0_PROXIES_0_REMOTE_PORT", "10080", "TUNNEL_API_ADMIN_TOKEN", "secret"));
        try (ConfigurableApplicationContext context = start(environment)) {
            assertThat(context.isActive()).isTrue();
        }
    }

    @Test
    void aMisspeltDashedVariableSuggestsTheSettingsOwnName() {
        StandardEnvironment environment =
                withVariables(Map.of("TUNNEL_SERVER_CLIENTS_1_PROXIES_0_REMOTE_PROT", "10080"));
        assertThatThrownBy(() -> start(environment))
                .hasMessageContaining("did you mean tunnel.server.clients[1].proxies[0].remote-port?");
    }

    @Test
    void otherProgramsVariablesInTheEnvironmentAreLeftAlone() {
        StandardEnvironment environment = withVariables(Map.of("TUNNEL_TOKEN", "office.secret",
                "TUNNEL_SERVER", "h:7000", "TUNNEL_SERVER_CA", "/ca",
                "TUNNEL_TEST_POSTGRES_URL", "jdbc:postgresql://x/test"));
        try (ConfigurableApplicationContext context = start(environment)) {
            assertThat(context.isActive()).isTrue();
        }
    }

    @Test
    void aMisspeltKeyInsideAListKeepsItsIndicesInTheSuggestion() {
        assertThatThrownBy(() -> start(null, "--tunnel.server.clients[2].proxies[1].remote-prot=10080"))
                .hasMessageContaining("did you mean tunnel.server.clients[2].proxies[1].remote-port?");
    }

    @Test
    void aKeyUnderAnUnknownGroupIsRefusedEvenWithoutASuggestion() {
        assertThatThrownBy(() -> start(null, "--tunnel.sever.bind-port=7000", "--tunnel.api.public-paths=/x"))
                .isInstanceOf(UnknownSettingsException.class)
                .hasMessageContaining("tunnel.sever.bind-port (set in commandLineArgs) is not a setting")
                .hasMessageNotContaining("public-paths");
    }

    @Test
    void everyKindOfKnownKeyStarts() {
        try (ConfigurableApplicationContext context = start(null, "--tunnel.server.keepalive.time=5s",
                "--tunnel.server.clients[0].proxies[1].remote-port=10080", "--tunnel.api.public-paths=/a,/b",
                "--tunnel.api.read-only-tokens[0]=t", "--tunnel.server.vhost.allowed-domains[0]=example.com",
                "--tunnel.transport=nio", "--server.port=0")) {
            assertThat(context.isActive()).isTrue();
        }
    }

    @Test
    void providersAreNamedByTheOperatorAndTheirSettingsStillChecked() {
        try (ConfigurableApplicationContext context = start(withVariables(Map.of(
                "TUNNEL_SERVER_SSO_PROVIDERS_STAFF_CLIENTSECRET", "s")),
                "--tunnel.server.sso.providers.keycloak.issuer-uri=https://id.example.org",
                "--tunnel.server.sso.providers.keycloak.scopes[0]=openid", "--server.port=0")) {
            assertThat(context.isActive()).isTrue();
        }
        assertThatThrownBy(() -> start(null, "--tunnel.server.sso.providers.keycloak.isuer-uri=https://id.example.org"))
                .hasMessageContaining("did you mean tunnel.server.sso.providers.keycloak.issuer-uri?");
    }

    @Test
    void theStartupReportListsEachUnknownKeyAndWhatToDo() {
        UnknownSettingsException failure = new UnknownSettingsException(java.util.List.of(
                new UnknownSettingsException.Unknown("tunnel.server.keepalive.tmie", "commandLineArgs",
                        "tunnel.server.keepalive.time")));
        FailureAnalysis analysis = new UnknownSettingsFailureAnalyzer().analyze(failure);
        assertThat(analysis.getDescription()).contains("Unknown settings:")
                .contains("did you mean tunnel.server.keepalive.time?");
        assertThat(analysis.getAction()).contains("docs/operations.md");
    }
}
