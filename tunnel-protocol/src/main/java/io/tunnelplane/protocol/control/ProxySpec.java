package io.tunnelplane.protocol.control;

/**
 * A proxy as the agent needs to know it: the server opens streams carrying {@code id}, and the agent relays them
 * to {@code localHost:localPort}. {@code remotePort} is informational on the agent (logs, doctor).
 */
public record ProxySpec(long id, String name, String type, String localHost, int localPort, int remotePort) {
}
