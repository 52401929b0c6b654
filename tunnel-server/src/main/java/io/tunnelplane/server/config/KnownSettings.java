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
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;

/**
 * Every setting name the server understands under {@code tunnel.*}, derived from the configuration records
 * themselves (so a new field is known the moment it exists), with list indices written {@code [*]} and the keys of
 * maps (an operator's own names, like a provider's) written {@code *}. Answers
 * whether a name from a property source is known and, when it is not, which known name is closest.
 */
final class KnownSettings {
    private static final Pattern INDEX = Pattern.compile("\\[\\d+]");

    private final Set<String> names = new LinkedHashSet<>();
    private final Set<String> mapNames = new LinkedHashSet<>();
    private final Lookup asWritten;
    private final Lookup asVariables;

    KnownSettings(Map<String, Class<? extends Record>> roots, Collection<String> extraNames) {
        roots.forEach((prefix, type) -> addRecord(prefix, type));
        names.addAll(extraNames);
        Map<String, String> written = new LinkedHashMap<>();
        Map<String, String> variables = new LinkedHashMap<>();
        for (String name : names) {
            written.put(name, name);
            // TUNNEL_SERVER_NODE_ID reads as tunnel.server.node.id and TUNNEL_SERVER_NODEID as
            // tunnel.server.nodeid: both mean tunnel.server.node-id.
            variables.putIfAbsent(name.replace('-', '.'), name);
            variables.putIfAbsent(name.replace("-", ""), name);
        }
        Set<String> variableMaps = new LinkedHashSet<>();
        for (String map : mapNames) {
            variableMaps.add(map.replace('-', '.'));
            variableMaps.add(map.replace("-", ""));
        }
        asWritten = new Lookup(written, mapNames);
        asVariables = new Lookup(variables, variableMaps);
    }

    /** Names as files, flags and system properties write them. */
    Lookup asWritten() {
        return asWritten;
    }

    /** Names as Spring maps environment variables; suggestions are still the settings' own names. */
    Lookup asVariables() {
        return asVariables;
    }

    /** Known names in one spelling ({@code forms}), each mapped to the setting it means. */
    static final class Lookup {
        private final Map<String, String> forms;
        private final Set<String> maps;

        private Lookup(Map<String, String> forms, Set<String> maps) {
            this.forms = forms;
            this.maps = maps;
        }

        /** Known as a setting, or as a group that holds settings (a YAML key with nothing under it). */
        boolean isKnown(String name) {
            String pattern = normalized(name).form();
            if (forms.containsKey(pattern)) {
                return true;
            }
            for (String form : forms.keySet()) {
                if (form.startsWith(pattern + ".") || form.startsWith(pattern + "[")) {
                    return true;
                }
            }
            return false;
        }

        /** The closest setting, with the unknown name's own list indices, if one is close enough to be a typo. */
        Optional<String> closest(String name) {
            Normalized pattern = normalized(name);
            return ClosestName.among(pattern.form(), forms.keySet())
                    .map(form -> withIndices(forms.get(form), name).replace(".*.", "." + pattern.mapKey() + "."));
        }

        /** {@code name} with list indices as {@code [*]} and the key under a map as {@code *}. */
        private Normalized normalized(String name) {
            String form = INDEX.matcher(name).replaceAll("[*]");
            for (String map : maps) {
                if (form.startsWith(map + ".")) {
                    int keyEnd = form.indexOf('.', map.length() + 1);
                    String key = form.substring(map.length() + 1, keyEnd < 0 ? form.length() : keyEnd);
                    return new Normalized(map + ".*" + (keyEnd < 0 ? "" : form.substring(keyEnd)), key);
                }
            }
            return new Normalized(form, "*");
        }

        private record Normalized(String form, String mapKey) {
        }
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
            addValue(prefix + "." + DataObjectPropertyName.toDashedForm(component.getName()), component.getGenericType());
        }
    }

    private void addValue(String name, Type type) {
        if (type instanceof Class<?> plain && plain.isRecord()) {
            addRecord(name, plain);
        } else if (type instanceof ParameterizedType generic && generic.getRawType() instanceof Class<?> raw
                && Map.class.isAssignableFrom(raw)
                && generic.getActualTypeArguments()[1] instanceof Class<?> value && value.isRecord()) {
            mapNames.add(name);
            addRecord(name + ".*", value);
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
}
