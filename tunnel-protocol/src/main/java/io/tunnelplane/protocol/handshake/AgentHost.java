package io.tunnelplane.protocol.handshake;

/** What an agent runs on, reported at login so operators can see their fleet (OS, JVM, host name). */
public record AgentHost(String os, String jvm, String hostname) {
    public static final AgentHost UNKNOWN = new AgentHost("", "", "");

    /** This process's host, as the JVM sees it. */
    public static AgentHost current() {
        String hostname;
        try {
            hostname = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            hostname = "";
        }
        return new AgentHost(System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"), System.getProperty("java.vm.name") + " "
                + System.getProperty("java.version"), hostname);
    }
}
