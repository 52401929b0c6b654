package io.tunnelplane.control.console;

/** The console's new-client form. */
public record ClientForm(String name, String description) {
}
