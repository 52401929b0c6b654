package io.tunnelplane.control.console;

import io.tunnelplane.control.client.ClientViews;

/**
 * A client's token as shown once, with the exact agent command line that uses it.
 *
 * @param agentAddress what the agent passes as {@code --server}
 */
public record TokenView(long id, String name, String token, String agentAddress) {
    static TokenView of(ClientViews.Created created, String agentAddress) {
        return new TokenView(created.id(), created.name(), created.token(), agentAddress);
    }

    /** The command an operator copies onto the agent host (the token carries the server's key pin). */
    public String command() {
        return "tunnel-agent/bin/tunnel-agent --server " + agentAddress + " --token '" + token + "'";
    }

    @Override
    public String toString() {
        return "TokenView[id=" + id + ", name=" + name + ", token=****]";
    }
}
