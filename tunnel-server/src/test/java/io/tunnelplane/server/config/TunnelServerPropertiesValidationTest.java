package io.tunnelplane.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** A bad configuration stops startup with a message that names the key and the rule it broke. */
class TunnelServerPropertiesValidationTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(TunnelServerProperties.class)
    @Import(ConfigurationValidation.class)
    static class PropertiesOnly {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(PropertiesOnly.class);

    @Test
    void defaultsAreValid() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            TunnelServerProperties props = context.getBean(TunnelServerProperties.class);
            assertThat(props.bindPort()).isEqualTo(7000);
            assertThat(props.allowedPorts().contains(10000)).isTrue();
            assertThat(props.allowedPorts().contains(20001)).isFalse();
            assertThat(props.keepalive().time()).hasSeconds(15);
        });
    }

    @Test
    void bindPortOutOfRangeNamesTheKey() {
        assertFailure("tunnel.server.bind-port=70000", "tunnel.server.bind-port", "65535");
    }

    @Test
    void malformedAllowPortsNamesTheKey() {
        assertFailure("tunnel.server.allow-ports=lots", "tunnel.server.allow-ports", "10000-20000");
    }

    @Test
    void invertedRangeNamesTheKey() {
        assertFailure("tunnel.server.allow-ports=20000-10000", "tunnel.server.allow-ports", "starts above its end");
    }

    @Test
    void proxyPortOutsideTheAllowedRangeNamesTheProxyKey() {
        runner.withPropertyValues("tunnel.server.clients[0].name=office",
                        "tunnel.server.clients[0].token=office.secret",
                        "tunnel.server.clients[0].proxies[0].name=ssh",
                        "tunnel.server.clients[0].proxies[0].local-port=22",
                        "tunnel.server.clients[0].proxies[0].remote-port=9000")
                .run(context -> assertThat(failureText(context.getStartupFailure()))
                        .contains("tunnel.server.clients[0].proxies[0].remote-port")
                        .contains("outside tunnel.server.allow-ports"));
    }

    @Test
    void clientNameMustBeADnsLabelAndTokenMustCarryIt() {
        runner.withPropertyValues("tunnel.server.clients[0].name=Bad_Name", "tunnel.server.clients[0].token=x.y")
                .run(context -> assertThat(failureText(context.getStartupFailure()))
                        .contains("tunnel.server.clients[0].name").contains("DNS label")
                        .contains("tunnel.server.clients[0].token"));
    }

    @Test
    void clusterSettingsNameTheKeyAndTheRule() {
        assertFailure("tunnel.server.node-id=-node", "tunnel.server.node-id", "starting with a letter or digit");
        assertFailure("tunnel.server.advertise-address=node-a", "tunnel.server.advertise-address", "HOST:PORT");
        assertFailure("tunnel.server.cluster.node-expiry=6s", "tunnel.server.cluster.node-expiry",
                "twice tunnel.server.cluster.heartbeat-interval");
        runner.withPropertyValues("tunnel.server.node-id=node-a", "tunnel.server.advertise-address=10.0.0.5:7000")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    TunnelServerProperties props = context.getBean(TunnelServerProperties.class);
                    assertThat(props.nodeId()).isEqualTo("node-a");
                    assertThat(props.cluster().nodeExpiry()).hasSeconds(20);
                });
    }

    @Test
    void sourceRulesNameTheEntryAndWhatIsWrongWithIt() {
        assertFailure("tunnel.server.access.deny-from=10.0.0.0/8,10.0.0.0/33", "tunnel.server.access.deny-from[1]",
                "prefix length outside 0-32");
        assertFailure("tunnel.server.access.allow-from=office.example", "tunnel.server.access.allow-from[0]",
                "is not an IP address or CIDR block");
        runner.withPropertyValues("tunnel.server.clients[0].name=office", "tunnel.server.clients[0].token=office.s",
                        "tunnel.server.clients[0].proxies[0].name=ssh",
                        "tunnel.server.clients[0].proxies[0].local-port=22",
                        "tunnel.server.clients[0].proxies[0].remote-port=10022",
                        "tunnel.server.clients[0].proxies[0].allow-from=2001:db8::/129")
                .run(context -> assertThat(failureText(context.getStartupFailure()))
                        .contains("tunnel.server.clients[0].proxies[0].allow-from[0]").contains("0-128"));
        runner.withPropertyValues("tunnel.server.access.deny-from=192.0.2.0/24, 2001:db8::/32")
                .run(context -> assertThat(context.getBean(TunnelServerProperties.class).access().rules().deny())
                        .hasSize(2));
    }

    @Test
    void keepaliveTooShortNamesTheKey() {
        assertFailure("tunnel.server.keepalive.timeout=10ms", "tunnel.server.keepalive.timeout", "100ms");
    }

    @Test
    void enforcedMinimumAboveTheOwnIntervalNamesBothKeys() {
        assertFailure("tunnel.server.keepalive.min-time=30s", "tunnel.server.keepalive.min-time",
                "tunnel.server.keepalive.time");
    }

    @Test
    void streamWindowsMustGrowWithinTheConnectionWindow() {
        assertFailure("tunnel.server.mux.max-stream-window=512KB", "tunnel.server.mux.max-stream-window",
                "tunnel.server.mux.stream-window");
        assertFailure("tunnel.server.mux.connection-window=4MB", "tunnel.server.mux.connection-window",
                "tunnel.server.mux.max-stream-window");
    }

    private void assertFailure(String property, String key, String rule) {
        runner.withPropertyValues(property).run(context -> {
            assertThat(context).hasFailed();
            assertThat(failureText(context.getStartupFailure())).contains(key).contains(rule);
        });
    }

    /** The text an operator would read: every message in the cause chain, including each field error. */
    private static String failureText(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            text.append(t.getMessage()).append('\n');
            if (t instanceof org.springframework.boot.context.properties.bind.validation.BindValidationException bve) {
                bve.getValidationErrors().getAllErrors().forEach(error -> text.append(error).append('\n'));
            }
        }
        return text.toString();
    }
}
