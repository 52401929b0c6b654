package io.tunnelplane.server.operations;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunnelplane.server.support.Json;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The operator guide lists every configuration key the server accepts (from the processor's metadata). */
class OperationsDocsTest {
    @Test
    void everyConfigurationKeyIsDocumented() throws Exception {
        String guide = Files.readString(Path.of("..", "docs", "operations.md"));
        List<String> keys = new ArrayList<>();
        for (URL metadata : Collections.list(getClass().getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = metadata.openStream()) {
                for (JsonNode property : Json.parse(new String(in.readAllBytes())).get("properties")) {
                    String name = property.get("name").asString();
                    if (name.startsWith("tunnel.")) {
                        keys.add(name);
                    }
                }
            }
        }
        assertThat(keys).as("metadata of tunnel-server and control-api found").hasSizeGreaterThan(15);
        for (String key : keys) {
            assertThat(guide).as("docs/operations.md documents " + key).contains("`" + key + "`");
        }
    }
}
