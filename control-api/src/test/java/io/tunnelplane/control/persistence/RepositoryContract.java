package io.tunnelplane.control.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tunnelplane.control.client.Client;
import io.tunnelplane.control.client.ClientRepository;
import io.tunnelplane.control.client.ClientTokens;
import io.tunnelplane.control.cluster.NodePresence;
import io.tunnelplane.control.event.ConnectionEvent;
import io.tunnelplane.control.event.ConnectionEventRepository;
import io.tunnelplane.control.event.SessionRecord;
import io.tunnelplane.control.proxy.Proxy;
import io.tunnelplane.control.proxy.ProxyRepository;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.domain.PageRequest;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What the schema and repositories must guarantee, run against each database the product supports. The schema
 * comes from the Flyway migrations (Hibernate only validates it), so this also proves they run on the database.
 */
abstract class RepositoryContract {
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    @Autowired
    ClientRepository clients;
    @Autowired
    ProxyRepository proxies;
    @Autowired
    ConnectionEventRepository events;
    @Autowired
    JdbcTemplate jdbc;

    private Client client(String name) {
        return clients.saveAndFlush(new Client(name, "d", Map.of("site", "hq"), ClientTokens.keyHex(name + ".x"), now));
    }

    @Test
    void migrationsCreatedTheSchemaFlywayRecordsIt() {
        Integer applied = jdbc.queryForObject(
                "select count(*) from \"flyway_schema_history\" where \"success\" = true", Integer.class);
        assertThat(applied).isGreaterThanOrEqualTo(1);
    }

    @Test
    void clientNamesAreUniqueAndLabelsRoundTrip() {
        Client saved = client("office");
        assertThat(clients.findByName("office")).get().extracting(Client::getLabels).isEqualTo(Map.of("site", "hq"));
        assertThat(saved.getTokenKey()).hasSize(64).doesNotContain("office.x");
        assertThatThrownBy(() -> client("office")).isInstanceOf(DataIntegrityViolationException.class);
    }

    @Test
    void enabledProxiesNeverShareAPortButDisabledOnesMay() {
        Client a = client("alpha");
        Client b = client("beta");
        proxies.saveAndFlush(new Proxy(a, "web", "tcp", "127.0.0.1", 80, 10080, true, null, now));
        proxies.saveAndFlush(new Proxy(b, "parked", "tcp", "127.0.0.1", 80, 10080, false, null, now));
        proxies.saveAndFlush(new Proxy(b, "parked-too", "tcp", "127.0.0.1", 81, 10080, false, null, now));
        assertThatThrownBy(() -> proxies.saveAndFlush(new Proxy(b, "clash", "tcp", "127.0.0.1", 80, 10080, true,
                null, now))).isInstanceOf(DataIntegrityViolationException.class);
        assertThat(proxies.findByActiveRemotePort(10080)).get().extracting(Proxy::getName).isEqualTo("web");
    }

    @Test
    void proxyNamesAreUniquePerClientOnly() {
        Client a = client("gamma");
        Client b = client("delta");
        proxies.saveAndFlush(new Proxy(a, "ssh", "tcp", "h", 22, 10022, true, null, now));
        proxies.saveAndFlush(new Proxy(b, "ssh", "tcp", "h", 22, 10023, true, null, now));
        assertThatThrownBy(() -> proxies.saveAndFlush(new Proxy(a, "ssh", "tcp", "h", 22, 10024, true, null, now)))
                .isInstanceOf(DataIntegrityViolationException.class);
        assertThat(proxies.findByClientIdAndEnabledTrueOrderById(a.getId())).hasSize(1);
    }

    @Test
    void eventsPageNewestFirstAndPruneByAge() {
        Client c = client("epsilon");
        for (int i = 0; i < 5; i++) {
            Instant end = now.minus(Duration.ofDays(i * 10L));
            events.save(new ConnectionEvent(c.getId(), new SessionRecord("epsilon", "s" + i, end.minusSeconds(60),
                    end, "10.0.0.1:5000", i == 0 ? "kicked" : "keepalive_timeout", null, 60_000, 10, 20, 1500L,
                    "1.0", "none", 1, 30_000L, 15_000L, 15_000L, 2L)));
        }
        events.flush();
        List<ConnectionEvent> page = events.findByClientIdOrderByDisconnectedAtDescIdDesc(c.getId(),
                PageRequest.of(0, 2)).getContent();
        assertThat(page).extracting(ConnectionEvent::getSessionId).containsExactly("s0", "s1");
        assertThat(page.get(0).getCause()).isEqualTo("kicked");
        assertThat(page.get(0).getDisconnectedAt()).isEqualTo(now);
        assertThat(page.get(0).getRetransmits()).isEqualTo(2L);

        assertThat(events.deleteOlderThan(now.minus(Duration.ofDays(25)))).isEqualTo(2);
        assertThat(events.findByClientIdOrderByDisconnectedAtDescIdDesc(c.getId(), PageRequest.of(0, 10))
                .getTotalElements()).isEqualTo(3);
    }

    /** The hand-written queries, read by the plain query reader the application configures for them. */
    @Test
    void handWrittenQueriesFindTheNewestEventPerClientAndMarkClientsSeen() {
        Client a = client("eta");
        Client b = client("theta");
        events.save(closed(a, "a1"));
        events.save(closed(a, "a2"));
        events.saveAndFlush(closed(b, "b1"));
        assertThat(events.findNewestPerClient())
                .filteredOn(e -> e.getClientId().equals(a.getId()) || e.getClientId().equals(b.getId()))
                .extracting(ConnectionEvent::getSessionId).containsExactlyInAnyOrder("a2", "b1");

        Instant seen = now.plusSeconds(30);
        assertThat(clients.markSeen(List.of("eta", "nobody"), seen)).isEqualTo(1);
        assertThat(jdbc.queryForObject("select count(*) from client where name = 'eta' and last_seen_at is not null",
                Integer.class)).isEqualTo(1);
        assertThat(jdbc.queryForObject("select count(*) from client where name = 'theta' and last_seen_at is null",
                Integer.class)).isEqualTo(1);
    }

    private ConnectionEvent closed(Client c, String session) {
        return new ConnectionEvent(c.getId(), new SessionRecord(c.getName(), session, now, now, null, "peer_closed",
                null, 0, 0, 0, null, null, null, null, null, null, null, null));
    }

    @Test
    void deletingAClientRemovesItsProxiesAndEvents() {
        Client c = client("zeta");
        proxies.saveAndFlush(new Proxy(c, "web", "tcp", "h", 80, 10090, true, null, now));
        events.saveAndFlush(closed(c, "s"));
        jdbc.update("delete from client where id = ?", c.getId());
        assertThat(jdbc.queryForObject("select count(*) from proxy where client_id = ?", Integer.class, c.getId()))
                .isZero();
        assertThat(jdbc.queryForObject("select count(*) from connection_event where client_id = ?", Integer.class,
                c.getId())).isZero();
    }

    @Test
    void nodePresenceTracksSessionsAndExpiresSilentNodes() {
        NodePresence presence = new NodePresence(jdbc);
        NodePresence.Node a = new NodePresence.Node("node-a", "10.0.0.1:7000", "1.0");
        NodePresence.Node b = new NodePresence.Node("node-b", null, "1.1");
        NodePresence.Session one = new NodePresence.Session("s1", "office", "c1", now, "192.0.2.1:5000", 2);
        NodePresence.Session two = new NodePresence.Session("s2", "office", "c2", now.plusSeconds(1), null, 2);
        assertThat(presence.heartbeat(a, 2, List.of(one, two), List.of(), true)).isTrue();
        assertThat(presence.heartbeat(b, 1, List.of(new NodePresence.Session("s3", "office", "c3", now, null, 1)),
                List.of(), true)).isTrue();
        assertThat(presence.heartbeat(a, 1, List.of(), List.of("s2"), false)).isFalse();

        assertThat(presence.liveNodes(Duration.ofSeconds(30))).extracting(NodePresence.NodeRow::nodeId,
                NodePresence.NodeRow::advertiseAddress, NodePresence.NodeRow::sessions)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("node-a", "10.0.0.1:7000", 1),
                        org.assertj.core.groups.Tuple.tuple("node-b", null, 1));
        assertThat(presence.sessionsOf("office", Duration.ofSeconds(30))).extracting(NodePresence.SessionRow::nodeId,
                NodePresence.SessionRow::sessionId).containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("node-a", "s1"),
                        org.assertj.core.groups.Tuple.tuple("node-b", "s3"));

        // node-b stops beating: it drops out of every answer at once and its rows go at the next sweep.
        jdbc.update("update cluster_node set heartbeat_at = ? where node_id = 'node-b'",
                java.sql.Timestamp.from(presence.databaseNow().minusSeconds(60)));
        assertThat(presence.liveNodes(Duration.ofSeconds(30))).extracting(NodePresence.NodeRow::nodeId)
                .containsExactly("node-a");
        assertThat(presence.sessionsOf("office", Duration.ofSeconds(30))).extracting(NodePresence.SessionRow::nodeId)
                .containsExactly("node-a");
        assertThat(presence.expire(Duration.ofSeconds(30))).extracting(NodePresence.NodeRow::nodeId)
                .containsExactly("node-b");
        assertThat(jdbc.queryForObject("select count(*) from cluster_session where node_id = 'node-b'",
                Integer.class)).isZero();

        presence.leave("node-a");
        assertThat(presence.liveNodes(Duration.ofSeconds(30))).isEmpty();
    }
}
