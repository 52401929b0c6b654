package io.tunnelplane.control.console;

/** The console's new-client form; {@code labels} as typed, {@code key=value} entries separated by commas. */
public record ClientForm(String name, String description, String labels) {
}
