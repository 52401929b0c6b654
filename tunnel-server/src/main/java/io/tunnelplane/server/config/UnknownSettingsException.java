package io.tunnelplane.server.config;

import java.util.List;
import java.util.stream.Collectors;

/** Settings under {@code tunnel.*} that no part of the server reads; the server does not start with them. */
public class UnknownSettingsException extends RuntimeException {
    private final transient List<Unknown> unknown;

    /** One unknown name, where it was set, and the known name it most likely meant (or null). */
    public record Unknown(String name, String origin, String suggestion) {
        String describe() {
            return name + " (set in " + origin + ") is not a setting"
                    + (suggestion == null ? "" : ": did you mean " + suggestion + "?");
        }
    }

    public UnknownSettingsException(List<Unknown> unknown) {
        super(unknown.stream().map(Unknown::describe).collect(Collectors.joining("; ")));
        this.unknown = List.copyOf(unknown);
    }

    public List<Unknown> unknown() {
        return unknown;
    }
}
