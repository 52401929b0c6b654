package io.tunnelplane.agent;

/** The agent's version, from the jar manifest ({@code dev} when run from classes). */
final class AgentVersion {
    private AgentVersion() {
    }

    static String current() {
        String version = AgentVersion.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
