package io.tunnelplane.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A server name with several addresses is several servers; literals and single addresses stay as given. */
class ServerDirectoryTest {
    private final Map<String, InetAddress[]> dns = new HashMap<>();
    private final ServerDirectory.Resolver resolver = host -> {
        InetAddress[] found = dns.get(host);
        if (found == null) {
            throw new UnknownHostException(host);
        }
        return found;
    };

    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    @Test
    void aNameWithSeveralAddressesBecomesOneServerPerAddressAndKeepsItsName() throws Exception {
        dns.put("tunnel.example", new InetAddress[] {ip("10.0.0.1"), ip("10.0.0.2")});
        dns.put("single.example", new InetAddress[] {ip("10.0.0.9")});
        List<ServerAddress> configured = List.of(new ServerAddress("tunnel.example", 7000),
                new ServerAddress("192.0.2.7", 7000), new ServerAddress("single.example", 7000),
                new ServerAddress("unknown.example", 7000));

        List<ServerAddress> expanded = ServerDirectory.expand(configured, resolver);

        assertThat(expanded).containsExactly(
                new ServerAddress("tunnel.example", 7000, ip("10.0.0.1")),
                new ServerAddress("tunnel.example", 7000, ip("10.0.0.2")),
                new ServerAddress("192.0.2.7", 7000),
                new ServerAddress("single.example", 7000),
                new ServerAddress("unknown.example", 7000));
        assertThat(expanded.get(1)).hasToString("tunnel.example:7000 (10.0.0.2)");
        assertThat(expanded.get(1).host()).as("still the name: SNI and certificate checks use it")
                .isEqualTo("tunnel.example");
        assertThat(expanded.get(1).socketAddress().getAddress()).isEqualTo(ip("10.0.0.2"));
        assertThat(expanded.get(3).socketAddress().isUnresolved()).isTrue();
    }

    @Test
    void refreshFollowsTheNameWhenItsAddressesChange() throws Exception {
        dns.put("tunnel.example", new InetAddress[] {ip("10.0.0.1"), ip("10.0.0.2")});
        ServerDirectory directory = new ServerDirectory(List.of(new ServerAddress("tunnel.example", 7000)), resolver);
        assertThat(directory.current()).as("as configured until resolved")
                .containsExactly(new ServerAddress("tunnel.example", 7000));
        assertThat(directory.hasNames()).isTrue();

        directory.refresh();
        assertThat(directory.current()).hasSize(2);

        dns.put("tunnel.example", new InetAddress[] {ip("10.0.0.2"), ip("10.0.0.3"), ip("10.0.0.4")});
        directory.refresh();
        assertThat(directory.current()).extracting(ServerAddress::address)
                .containsExactly(ip("10.0.0.2"), ip("10.0.0.3"), ip("10.0.0.4"));
    }

    @Test
    void literalsAreNeverLookedUp() {
        ServerDirectory directory = new ServerDirectory(List.of(new ServerAddress("127.0.0.1", 7000),
                new ServerAddress("::1", 7000)), host -> {
                    throw new AssertionError("looked up " + host);
                });
        directory.refresh();
        assertThat(directory.hasNames()).isFalse();
        assertThat(directory.current()).hasSize(2);
    }
}
