package io.tunnelplane.control.console;

import io.tunnelplane.control.ControlPlaneProperties;
import io.tunnelplane.control.client.ClientService;
import io.tunnelplane.control.client.ClientViews;
import io.tunnelplane.control.cluster.ClusterMembership;
import io.tunnelplane.control.cluster.NodePresence;
import io.tunnelplane.control.event.ConnectionEvents;
import io.tunnelplane.control.event.FleetDiagnosis;
import io.tunnelplane.control.runtime.TunnelRuntime;
import java.time.Duration;
import java.util.List;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;

/** The console's front pages: the sign-in and the overview of the whole fleet. */
@Controller
@RequestMapping("/console")
public class OverviewPage {
    private final ClientService clients;
    private final ConnectionEvents events;
    private final NodePresence presence;
    private final ClusterMembership membership;
    private final TunnelRuntime runtime;
    private final ControlPlaneProperties properties;

    public OverviewPage(ClientService clients, ConnectionEvents events, NodePresence presence,
            ClusterMembership membership, TunnelRuntime runtime, ControlPlaneProperties properties) {
        this.runtime = runtime;
        this.properties = properties;
        this.clients = clients;
        this.events = events;
        this.presence = presence;
        this.membership = membership;
    }

    @GetMapping("/sign-in")
    String signIn(Model model) {
        String provider = properties.consoleSignOn().provider();
        model.addAttribute("signOnProvider", provider.isEmpty() ? null : provider);
        return "console/sign-in";
    }

    @GetMapping
    String overview(Model model) {
        List<NodePresence.NodeRow> nodes = presence.liveNodes(membership.nodeExpiry());
        counts(model, nodes, events.diagnoseFleet(Duration.ofHours(24), 20_000));
        model.addAttribute("nodes", nodes);
        model.addAttribute("self", membership.nodeId());
        return "console/overview";
    }

    /** The part of the overview that refreshes itself: counts and traffic, without the day's diagnosis. */
    @GetMapping("/counts")
    String counts(Model model) {
        counts(model, presence.liveNodes(membership.nodeExpiry()), null);
        return "console/overview :: counts";
    }

    private void counts(Model model, List<NodePresence.NodeRow> nodes, FleetDiagnosis.Result fleet) {
        List<ClientViews.Summary> all = clients.list(Pageable.unpaged()).getContent();
        String serverVersion = nodes.stream().filter(n -> n.nodeId().equals(membership.nodeId()))
                .map(NodePresence.NodeRow::version).findFirst().orElse(null);
        model.addAttribute("overview", Overview.of(all, clients::live, fleet, serverVersion));
        model.addAttribute("trafficNow", runtime.trafficNow());
    }
}
