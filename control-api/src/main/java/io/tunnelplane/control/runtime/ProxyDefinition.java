package io.tunnelplane.control.runtime;

/** A proxy as the engine serves it. */
public record ProxyDefinition(long id, String name, String type, String localHost, int localPort, int remotePort) {
}
