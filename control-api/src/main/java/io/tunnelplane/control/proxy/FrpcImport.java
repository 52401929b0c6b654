package io.tunnelplane.control.proxy;

import io.tunnelplane.control.web.ApiException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.toml.TomlMapper;

/**
 * Imports the {@code [[proxies]]} of an frpc.toml as proxies of a client, all or nothing: every tcp, udp, http and
 * https proxy is validated and created in one transaction (a bad entry is refused naming {@code proxies[i].field}
 * and nothing is stored); what has no equivalent here (stcp, xtcp and the other frp types, plugins, PROXY protocol
 * v1) is listed as skipped, with the reason.
 */
@Service
public class FrpcImport {
    private static final TomlMapper TOML = new TomlMapper();
    private static final Pattern FRP_BANDWIDTH = Pattern.compile("(\\d{1,9})\\s*([KkMm][Bb])");
    private static final Set<String> TYPES = Set.of("tcp", "udp", "http", "https");

    private final ProxyService proxies;
    private final Validator validator;

    public FrpcImport(ProxyService proxies, Validator validator) {
        this.proxies = proxies;
        this.validator = validator;
    }

    /** What an import did: the proxies created and the entries left out. */
    public record Result(List<ProxyView> imported, List<Skipped> skipped) {
    }

    public record Skipped(int index, String name, String reason) {
    }

    @Transactional
    public Result importToml(long clientId, String toml) {
        JsonNode root;
        try {
            root = TOML.readTree(toml);
        } catch (JacksonException e) {
            throw new ApiException(HttpStatus.BAD_REQUEST, null, "not valid TOML: " + e.getOriginalMessage());
        }
        JsonNode entries = root.path("proxies");
        if (!entries.isArray() || entries.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "proxies", "no [[proxies]] tables found");
        }
        List<ProxyView> imported = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = entries.get(i);
            String frpName = entry.path("name").asString("");
            String type = entry.path("type").asString("tcp").toLowerCase(Locale.ROOT);
            String unsupported = unsupported(entry, type);
            if (unsupported != null) {
                skipped.add(new Skipped(i, frpName, unsupported));
                continue;
            }
            ProxyRequests.Create request;
            try {
                request = request(entry, type, label(frpName));
            } catch (IllegalArgumentException e) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "proxies[" + i + "].transport.bandwidthLimit",
                        e.getMessage());
            }
            Set<ConstraintViolation<ProxyRequests.Create>> violations = validator.validate(request);
            if (!violations.isEmpty()) {
                ConstraintViolation<ProxyRequests.Create> first = violations.iterator().next();
                throw new ApiException(HttpStatus.BAD_REQUEST, "proxies[" + i + "]." + first.getPropertyPath(),
                        first.getMessage());
            }
            try {
                imported.add(proxies.create(clientId, request));
            } catch (ApiException e) {
                if (e.field() == null) {
                    throw e;
                }
                throw new ApiException(e.status(), "proxies[" + i + "]." + e.field(), e.getMessage());
            }
        }
        return new Result(imported, skipped);
    }

    /** Why an entry cannot be imported as it is, or null when it can. */
    private static String unsupported(JsonNode entry, String type) {
        if (!TYPES.contains(type)) {
            return "type " + type + " has no equivalent here (tcp, udp, http, https)";
        }
        if (entry.has("plugin")) {
            return "frp plugins (" + entry.path("plugin").path("type").asString("?") + ") have no equivalent here";
        }
        String proxyProtocol = entry.path("transport").path("proxyProtocolVersion").asString("");
        if (!proxyProtocol.isEmpty() && !"v2".equals(proxyProtocol)) {
            return "PROXY protocol " + proxyProtocol + " is not sent here (v2 only)";
        }
        return null;
    }

    /** The frp entry in our terms; the fields a type does not take are left out, as frp ignores them too. */
    private static ProxyRequests.Create request(JsonNode entry, String type, String name) {
        boolean http = "http".equals(type);
        boolean virtualHost = http || "https".equals(type);
        String proxyProtocol = entry.path("transport").path("proxyProtocolVersion").asString(null);
        return new ProxyRequests.Create(name, type, entry.path("localIP").asString("127.0.0.1"),
                intOrNull(entry, "localPort"), virtualHost ? null : intOrNull(entry, "remotePort"), true,
                bandwidth(entry.path("transport").path("bandwidthLimit").asString("")),
                virtualHost ? strings(entry, "customDomains") : null,
                virtualHost ? entry.path("subdomain").asString(null) : null,
                http ? strings(entry, "locations") : null,
                http ? entry.path("hostHeaderRewrite").asString(null) : null,
                "udp".equals(type) ? null : proxyProtocol,
                http ? entry.path("httpUser").asString(null) : null,
                http ? entry.path("httpPassword").asString(null) : null, null, null, null, null, null, null, null);
    }

    /** frp's {@code transport.bandwidthLimit} ("512KB", "1MB": binary units) in bytes per second; null when unset. */
    static Long bandwidth(String frp) {
        if (frp.isBlank()) {
            return null;
        }
        Matcher m = FRP_BANDWIDTH.matcher(frp.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + frp + "' is not a bandwidth like 512KB or 1MB");
        }
        return Long.parseLong(m.group(1)) * ("MB".equalsIgnoreCase(m.group(2)) ? 1024 * 1024 : 1024);
    }

    private static List<String> strings(JsonNode entry, String field) {
        JsonNode values = entry.get(field);
        if (values == null || !values.isArray() || values.isEmpty()) {
            return null;
        }
        List<String> strings = new ArrayList<>();
        values.forEach(v -> strings.add(v.asString()));
        return strings;
    }

    /** frp names may use capitals and underscores; ours are DNS labels. */
    static String label(String frpName) {
        String label = frpName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+|-+$", "");
        return label.length() > 63 ? label.substring(0, 63).replaceAll("-+$", "") : label;
    }

    private static Integer intOrNull(JsonNode entry, String field) {
        JsonNode value = entry.get(field);
        return value == null || !value.canConvertToInt() ? null : value.asInt();
    }

}
