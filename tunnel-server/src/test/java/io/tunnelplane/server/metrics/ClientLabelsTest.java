package io.tunnelplane.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientLabelsTest {

    @Test
    void theFirstClientsKeepTheirNameAndTheRestAreSummedUnderOther() {
        ClientLabels labels = new ClientLabels(2);
        assertThat(labels.of("a")).isEqualTo("a");
        assertThat(labels.of("b")).isEqualTo("b");
        assertThat(labels.of("c")).isEqualTo(ClientLabels.OTHER);
        assertThat(labels.of("a")).as("a named client keeps its series").isEqualTo("a");
        assertThat(labels.of("d")).isEqualTo(ClientLabels.OTHER);
    }

    @Test
    void aLimitOfZeroSumsEveryClient() {
        assertThat(new ClientLabels(0).of("a")).isEqualTo(ClientLabels.OTHER);
    }
}
