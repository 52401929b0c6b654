package io.tunnelplane.protocol.control;

import java.util.List;

/** Messages on a session's control stream, which the server opens first after login. */
public sealed interface ControlMessage permits ControlMessage.ProxyList, ControlMessage.ProxyStatus {

    /** The complete, versioned set of proxies the agent must serve; each push replaces the previous one. */
    record ProxyList(long version, List<ProxySpec> proxies) implements ControlMessage {
        public ProxyList {
            proxies = List.copyOf(proxies);
        }
    }

    /** The agent's report about one proxy, e.g. its local service refused a connection. */
    record ProxyStatus(long proxyId, String state, String detail) implements ControlMessage {
        public static final String LOCAL_REACHABLE = "local_reachable";
        public static final String LOCAL_UNREACHABLE = "local_unreachable";
    }
}
