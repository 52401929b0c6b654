package io.tunnelplane.server.config;

import io.tunnelplane.control.access.AddressBlock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Rules that span several keys of {@code tunnel.server}: proxy ports inside {@code allow-ports} and unique, client
 * names unique, keepalive values that can work. Each rejection names the key so that startup fails with a message
 * an operator can act on.
 */
public final class TunnelServerPropertiesValidator implements Validator {

    @Override
    public boolean supports(Class<?> type) {
        return TunnelServerProperties.class.isAssignableFrom(type);
    }

    @Override
    public void validate(Object target, Errors errors) {
        TunnelServerProperties props = (TunnelServerProperties) target;
        PortRange allowed;
        try {
            allowed = PortRange.parse(props.allowPorts());
        } catch (IllegalArgumentException e) {
            errors.rejectValue("allow-ports", "range", e.getMessage());
            return;
        }
        validateKeepalive(props, errors);
        validateTls(props.tls(), errors);
        if (props.login().lockoutMax().compareTo(props.login().lockoutBase()) < 0) {
            errors.rejectValue("login.lockout-max", "min", "must not be shorter than tunnel.server.login.lockout-base");
        }
        if (props.vhost().responseTimeout().compareTo(Duration.ofMillis(100)) < 0) {
            errors.rejectValue("vhost.response-timeout", "min", "must be at least 100ms");
        }
        validateCluster(props.cluster(), errors);
        validateSources("access.allow-from", props.access().allowFrom(), errors);
        validateSources("access.deny-from", props.access().denyFrom(), errors);
        validateSources("access.trusted-proxies", props.access().trustedProxies(), errors);
        if (props.access().quotaInterval().compareTo(Duration.ofSeconds(1)) < 0) {
            errors.rejectValue("access.quota-interval", "min", "must be at least 1s");
        }
        validateClients(props.clients(), allowed, errors);
        validateSignOn(props.sso(), errors);
        validateAcme(props.acme(), errors);
    }

    private static void validateAcme(TunnelServerProperties.Acme acme, Errors errors) {
        if (acme.checkInterval().compareTo(Duration.ofSeconds(1)) < 0) {
            errors.rejectValue("acme.check-interval", "min", "must be at least 1s");
        }
        if (acme.retryBase().compareTo(Duration.ofSeconds(1)) < 0) {
            errors.rejectValue("acme.retry-base", "min", "must be at least 1s");
        }
        if (acme.retryMax().compareTo(acme.retryBase()) < 0) {
            errors.rejectValue("acme.retry-max", "min", "must not be shorter than tunnel.server.acme.retry-base");
        }
        if (!acme.directoryCa().isEmpty() && !java.nio.file.Files.isReadable(java.nio.file.Path.of(acme.directoryCa()))) {
            errors.rejectValue("acme.directory-ca", "file", "must be a readable PEM file");
        }
    }

    /** Provider names are what proxies refer to, so they are plain names; a sign-on lasts at least a minute. */
    private static void validateSignOn(TunnelServerProperties.Sso sso, Errors errors) {
        for (var provider : sso.providers().entrySet()) {
            if (!provider.getKey().matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
                errors.rejectValue("sso.providers", "name", "provider name '" + provider.getKey() + "' must be "
                        + "lowercase letters, digits and inner hyphens");
            }
            if (!provider.getValue().scopes().contains("openid")) {
                errors.rejectValue("sso.providers", "scopes", "the scopes of provider '" + provider.getKey()
                        + "' must include openid");
            }
        }
        if (sso.sessionLifetime().compareTo(Duration.ofMinutes(1)) < 0) {
            errors.rejectValue("sso.session-lifetime", "min", "must be at least 1m");
        }
    }

    /** Each entry an address or CIDR block; a rejection names the entry's index and what is wrong with it. */
    static void validateSources(String key, List<String> entries, Errors errors) {
        for (int i = 0; i < entries.size(); i++) {
            try {
                AddressBlock.parse(entries.get(i));
            } catch (IllegalArgumentException e) {
                errors.rejectValue(key + "[" + i + "]", "address", e.getMessage());
            }
        }
    }

    private static void validateCluster(TunnelServerProperties.Cluster cluster, Errors errors) {
        if (cluster.heartbeatInterval().compareTo(Duration.ofMillis(100)) < 0) {
            errors.rejectValue("cluster.heartbeat-interval", "min", "must be at least 100ms");
        } else if (cluster.nodeExpiry().compareTo(cluster.heartbeatInterval().multipliedBy(2)) < 0) {
            errors.rejectValue("cluster.node-expiry", "min", "must be at least twice "
                    + "tunnel.server.cluster.heartbeat-interval: one late heartbeat must not expire a live node");
        }
    }

    private static void validateKeepalive(TunnelServerProperties props, Errors errors) {
        Duration time = props.keepalive().time();
        Duration timeout = props.keepalive().timeout();
        if (time.compareTo(Duration.ofMillis(100)) < 0) {
            errors.rejectValue("keepalive.time", "min", "must be at least 100ms");
        }
        if (timeout.compareTo(Duration.ofMillis(100)) < 0) {
            errors.rejectValue("keepalive.timeout", "min", "must be at least 100ms");
        }
        if (props.keepalive().minTime().compareTo(time) > 0) {
            errors.rejectValue("keepalive.min-time", "max", "must not exceed tunnel.server.keepalive.time ("
                    + time.toMillis() + "ms): agents using the server's own setting would be struck for pinging");
        }
        if (props.mux().maxStreamWindow().toBytes() < props.mux().streamWindow().toBytes()) {
            errors.rejectValue("mux.max-stream-window", "min",
                    "must not be smaller than tunnel.server.mux.stream-window (a stream's window only grows)");
        } else if (props.mux().connectionWindow().toBytes() < props.mux().maxStreamWindow().toBytes()) {
            errors.rejectValue("mux.connection-window", "min",
                    "must not be smaller than tunnel.server.mux.max-stream-window");
        }
        long frame = props.mux().maxFrameSize().toBytes();
        if (frame < 16_384 || frame > 16_777_215) {
            errors.rejectValue("mux.max-frame-size", "range", "must be between 16KB and 16MB - 1 byte (HTTP/2 limits)");
        }
        if (props.mux().streamWindow().toBytes() < 65_535 || props.mux().connectionWindow().toBytes() > Integer.MAX_VALUE) {
            errors.rejectValue("mux.stream-window", "range", "windows must be between 64KB and 2GB");
        }
    }

    private static void validateTls(TunnelServerProperties.Tls tls, Errors errors) {
        if (!tls.enabled()) {
            return;
        }
        boolean certificate = tls.certificate() != null && !tls.certificate().isBlank();
        boolean key = tls.privateKey() != null && !tls.privateKey().isBlank();
        if (certificate != key) {
            errors.rejectValue(certificate ? "tls.private-key" : "tls.certificate", "pair",
                    "tunnel.server.tls.certificate and tunnel.server.tls.private-key go together (PEM files)");
        }
        readable(tls.certificate(), "tls.certificate", errors);
        readable(tls.privateKey(), "tls.private-key", errors);
        readable(tls.clientCa(), "tls.client-ca", errors);
    }

    private static void readable(String file, String key, Errors errors) {
        if (file != null && !file.isBlank() && !java.nio.file.Files.isReadable(java.nio.file.Path.of(file))) {
            errors.rejectValue(key, "readable", "cannot read " + file);
        }
    }

    private static void validateClients(List<TunnelServerProperties.ClientConfig> clients, PortRange allowed,
            Errors errors) {
        Set<String> names = new HashSet<>();
        Map<String, String> portOwners = new HashMap<>();
        for (int c = 0; c < clients.size(); c++) {
            TunnelServerProperties.ClientConfig client = clients.get(c);
            if (client.name() != null && !names.add(client.name())) {
                errors.rejectValue("clients[" + c + "].name", "unique", "duplicates another client's name");
            }
            if (client.token() != null && !client.token().startsWith(client.name() + ".")) {
                errors.rejectValue("clients[" + c + "].token", "format",
                        "must look like <client-name>.<secret>, i.e. start with '" + client.name() + ".'");
            }
            for (int p = 0; p < client.proxies().size(); p++) {
                int port = client.proxies().get(p).remotePort();
                String type = client.proxies().get(p).type();
                String key = "clients[" + c + "].proxies[" + p + "].remote-port";
                if (!allowed.contains(port)) {
                    errors.rejectValue(key, "allowed", "port " + port + " is outside tunnel.server.allow-ports ("
                            + allowed + ")");
                }
                String owner = portOwners.putIfAbsent(type + "/" + port, client.name() + "/"
                        + client.proxies().get(p).name());
                if (owner != null) {
                    errors.rejectValue(key, "unique", type + " port " + port + " is already used by proxy " + owner);
                }
                if ("udp".equals(type) && "v2".equals(client.proxies().get(p).proxyProtocol())) {
                    errors.rejectValue("clients[" + c + "].proxies[" + p + "].proxy-protocol", "type",
                            "is sent on TCP connections only: must be none for a udp proxy");
                }
                String proxyKey = "clients[" + c + "].proxies[" + p + "].";
                validateSources(proxyKey + "allow-from", client.proxies().get(p).allowFrom(), errors);
                validateSources(proxyKey + "deny-from", client.proxies().get(p).denyFrom(), errors);
            }
        }
    }
}
