package io.tunnelplane.protocol.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenProofTest {
    private final byte[] serverNonce = TokenProof.newNonce();
    private final byte[] agentNonce = TokenProof.newNonce();

    @Test
    void theSameTokenProvesItselfAndAnotherDoesNot() {
        byte[] key = TokenProof.keyOf("office.secret");
        byte[] proof = TokenProof.agentProof(key, "office", serverNonce, agentNonce);
        assertThat(TokenProof.matches(TokenProof.agentProof(TokenProof.keyOf("office.secret"), "office",
                serverNonce, agentNonce), proof)).isTrue();
        assertThat(TokenProof.matches(TokenProof.agentProof(TokenProof.keyOf("office.wrong"), "office",
                serverNonce, agentNonce), proof)).isFalse();
    }

    @Test
    void aRecordedProofDoesNotWorkForANewNonce() {
        byte[] key = TokenProof.keyOf("office.secret");
        byte[] recorded = TokenProof.agentProof(key, "office", serverNonce, agentNonce);
        byte[] fresh = TokenProof.agentProof(key, "office", TokenProof.newNonce(), agentNonce);
        assertThat(TokenProof.matches(fresh, recorded)).isFalse();
    }

    @Test
    void serverAndAgentProofsDifferSoOneCannotBeReflectedAsTheOther() {
        byte[] key = TokenProof.keyOf("office.secret");
        assertThat(TokenProof.agentProof(key, "office", serverNonce, agentNonce))
                .isNotEqualTo(TokenProof.serverProof(key, "office", serverNonce, agentNonce));
    }

    @Test
    void tokenNamesItsClientAndHidesItsSecretInToString() {
        AgentToken token = AgentToken.parse("office.s3cr3t");
        assertThat(token.clientId()).isEqualTo("office");
        assertThat(token.toString()).doesNotContain("s3cr3t");
        assertThatThrownBy(() -> AgentToken.parse("nodot")).hasMessageContaining("<client-id>.<secret>");
        assertThatThrownBy(() -> AgentToken.parse(".x")).isInstanceOf(IllegalArgumentException.class);
    }
}
