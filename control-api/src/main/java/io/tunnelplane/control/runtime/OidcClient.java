package io.tunnelplane.control.runtime;

import java.util.List;

/**
 * An OpenID Connect provider the server is a client of ({@code tunnel.server.sso.providers.<name>}): what the
 * console needs to sign operators in with it.
 */
public record OidcClient(String name, String issuerUri, String clientId, String clientSecret, List<String> scopes,
        String groupsClaim) {

    @Override
    public String toString() {
        return "OidcClient[" + name + ", issuer=" + issuerUri + ", clientId=" + clientId + ", clientSecret=****]";
    }
}
