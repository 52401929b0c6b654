package io.tunnelplane.server.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunnelplane.control.client.ClientTokens;
import io.tunnelplane.protocol.handshake.AgentToken;
import io.tunnelplane.protocol.handshake.TokenProof;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The control plane stores the key the login proof is made with; both sides must derive the same one. */
class TokenKeyContractTest {
    @Test
    void storedKeyIsTheProtocolsKey() {
        String token = ClientTokens.newToken("office");
        assertThat(AgentToken.parse(token).clientId()).isEqualTo("office");
        assertThat(ClientTokens.keyHex(token)).isEqualTo(HexFormat.of().formatHex(TokenProof.keyOf(token)));
        assertThat(ClientTokens.newToken("office")).isNotEqualTo(token);
    }
}
