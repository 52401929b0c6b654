package io.tunnelplane.server.config;

import io.tunnelplane.protocol.config.ClosestName;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every setting name the server understands under {@code tunnel.*}, derived from the configuration records
 * themselves (so a new field is known the moment it exists), with list indices written {@code [*]}. Answers
 * whether a name from a property source is known and, when it is not, which known name is closest.
 */
final class KnownSettings {
    private static final Pattern INDEX = Pattern.compile("\\[\\d+]");

    private final Set<String> names = new LinkedHashSet<>();
    /**
     * The same names as an environment variable arrives: TUNNEL_SERVER_NODE_ID reads as tunnel.server.node.id and
     * TUNNEL_SERVER_NODEID as tunnel.server.nodeid, both meaning tunnel.server.node-id. Each form maps back to it.
     */
    private final Map<String, String> variableForms = new LinkedHashMap<>();

    KnownSettings(Map<String, Class<? extends Record>> roots, Collection<String> extraNames) {
        roots.forEach((prefix, type) -> addRecord(prefix, type));
        names.addAll(extraNames);
        for (String name : names) {
            variableForms.putIfAbsent(name.replace('-', '.'), name);
            variableForms.putIfAbsent(name.replace("-", ""), name);
        }
    }

    /** Known as a setting, or as a group that holds settings (a YAML key with nothing under it). */
    boolean isKnown(String name) {
        return isKnown(name, names);
    }

    /** {@link #isKnown} for a name mapped from an environment variable. */
    boolean isKnownVariable(String name) {
        return isKnown(name, variableForms.keySet());
    }

    private static boolean isKnown(String name, Set<String> known) {
        String pattern = INDEX.matcher(name).replaceAll("[*]");
        if (known.contains(pattern)) {
            return true;
        }
        for (String candidate : known) {
            if (candidate.startsWith(pattern + ".") || candidate.startsWith(pattern + "[")) {
                return true;
            }
        }
        return false;
    }

    /** The closest known name, with the unknown name's own list indices, if one is close enough to be a typo. */
    Optional<String> closest(String name) {
        String pattern = INDEX.matcher(name).replaceAll("[*]");
        return ClosestName.among(pattern, names).map(known -> withIndices(known, name));
    }

    /** {@link #closest} for a name mapped from an environment variable; the suggestion is the setting's own name. */
    Optional<String> closestToVariable(String name) {
        String pattern = INDEX.matcher(name).replaceAll("[*]");
        return ClosestName.among(pattern, variableForms.keySet())
                .map(form -> withIndices(variableForms.get(form), name));
    }

    private static String withIndices(String pattern, String original) {
        Matcher indices = INDEX.matcher(original);
        StringBuilder result = new StringBuilder();
        int from = 0;
        int star;
        while ((star = pattern.indexOf("[*]", from)) >= 0) {
            result.append(pattern, from, star).append(indices.find() ? indices.group() : "[0]");
            from = star + 3;
        }
        return result.append(pattern.substring(from)).toString();
    }

    private void addRecord(String prefix, Class<?> type) {
        for (RecordComponent component : type.getRecordComponents()) {
            addValue(prefix + "." + dashed(component.getName()), component.getGenericType());
        }
    }

    private void addValue(String name, Type type) {
        if (type instanceof Class<?> plain && plain.isRecord()) {
            addRecord(name, plain);
        } else if (type instanceof ParameterizedType generic && generic.getRawType() instanceof Class<?> raw
                && (List.class.isAssignableFrom(raw) || Set.class.isAssignableFrom(raw))) {
            Type element = generic.getActualTypeArguments()[0];
            if (element instanceof Class<?> elementClass && elementClass.isRecord()) {
                addRecord(name + "[*]", elementClass);
            } else {
                names.add(name); // a comma-separated value
                names.add(name + "[*]");
            }
        } else {
            names.add(name);
        }
    }

    /** {@code perClientLimit} is written {@code per-client-limit}, as Boot's canonical names are. */
    static String dashed(String camel) {
        StringBuilder out = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('-').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
