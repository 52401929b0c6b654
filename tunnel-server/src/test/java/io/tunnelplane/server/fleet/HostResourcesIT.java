package io.tunnelplane.server.fleet;

import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.management.UnixOperatingSystemMXBean;
import io.tunnelplane.agent.Agent;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The agent reports its host's open files and memory; the API shows the latest report. */
class HostResourcesIT {

    @Test
    void theApiShowsTheAgentHostsOpenFilesAndMemoryAndFollowsChanges(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(TestServer.defaults())) {
            JsonNode created = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"reporter\"}"));
            String path = "/api/v1/clients/" + created.get("id").asLong();
            Agent agent = new Agent(TestAgents.settings(server.agentPort(), created.get("token").asString(),
                    Duration.ofSeconds(2)).withHostReportInterval(Duration.ofMillis(200)));
            agent.start();
            List<FileChannel> held = new ArrayList<>();
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> !body(200, server.get(path)).at("/live/host")
                        .isNull());
                JsonNode host = body(200, server.get(path)).at("/live/host");
                // The agent runs in this JVM, so its figures are ours.
                UnixOperatingSystemMXBean os = (UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                assertThat(host.get("maxFiles").asLong()).isEqualTo(os.getMaxFileDescriptorCount());
                long before = host.get("openFiles").asLong();
                assertThat(before).isPositive().isLessThan(os.getMaxFileDescriptorCount());
                long total = memTotal();
                assertThat(host.get("memoryTotalBytes").asLong()).isEqualTo(total);
                assertThat(host.get("memoryAvailableBytes").asLong()).isPositive().isLessThanOrEqualTo(total);
                assertThat(host.get("reportedAt").asString()).isNotBlank();

                Path file = Files.createFile(dir.resolve("held"));
                for (int i = 0; i < 300; i++) {
                    held.add(FileChannel.open(file));
                }
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(body(200, server.get(path))
                        .at("/live/host/openFiles").asLong()).isGreaterThanOrEqualTo(before + 250));
            } finally {
                for (FileChannel channel : held) {
                    channel.close();
                }
                agent.stop();
            }
        }
    }

    private static long memTotal() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new AssertionError("no MemTotal in /proc/meminfo");
    }
}
