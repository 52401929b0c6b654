package io.tunnelplane.control.event;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tunnelplane.control.client.ClientService;
import io.tunnelplane.control.web.PageView;
import org.springframework.data.domain.Pageable;
import org.springframework.data.web.PageableDefault;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "events", description = "Connection history: every ended session with its cause")
public class EventController {
    private final ConnectionEvents events;
    private final ClientService clients;

    public EventController(ConnectionEvents events, ClientService clients) {
        this.events = events;
        this.clients = clients;
    }

    @GetMapping("/api/v1/clients/{id}/diagnosis")
    @Operation(summary = "Which disconnect pattern the client's recent sessions fit, with the evidence")
    public DisconnectDiagnosis.Result diagnosis(@PathVariable long id) {
        return DisconnectDiagnosis.diagnose(events.recent(id, 50), clients.live(id).orElse(null));
    }

    @GetMapping("/api/v1/diagnosis")
    @Operation(summary = "Which disconnect pattern the whole fleet's sessions of the last hour fit: many clients"
            + " at one moment (the server's side) or each client's own path")
    public FleetDiagnosis.Result fleetDiagnosis() {
        return events.diagnoseFleet(FleetDiagnosis.WINDOW, 5_000);
    }

    @GetMapping("/api/v1/clients/{id}/events")
    @Operation(summary = "The client's ended sessions, newest first")
    public PageView<ConnectionEvents.EventView> list(@PathVariable long id,
            @PageableDefault(size = 50) Pageable pageable) {
        return PageView.of(events.list(id, pageable));
    }
}
