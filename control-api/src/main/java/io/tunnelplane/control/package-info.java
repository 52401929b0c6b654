/**
 * The control plane: clients (agent identities) with their token keys, proxies and connection history in JPA, a
 * versioned REST API over them, and the two ports that connect it to the engine: {@code runtime.TunnelRuntime}
 * (implemented by the engine: who is online, apply proxies, disconnect) and {@code runtime.ClientAuthority}
 * (implemented here: logins and session history for the engine). It must not depend on Netty or on the protocol.
 */
package io.tunnelplane.control;
