package io.tunnelplane.control.client;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tunnelplane.control.runtime.TrafficSample;
import io.tunnelplane.control.web.PageView;
import jakarta.validation.Valid;
import java.util.List;
import java.util.Map;
import org.springframework.data.domain.Pageable;
import org.springframework.data.domain.Sort;
import org.springframework.data.web.PageableDefault;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/clients")
@Tag(name = "clients", description = "Agent identities, their tokens and live state")
public class ClientController {
    private final ClientService clients;

    public ClientController(ClientService clients) {
        this.clients = clients;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a client; the response carries its token, shown only this once")
    public ClientViews.Created create(@Valid @RequestBody ClientRequests.Create request) {
        return clients.create(request);
    }

    @GetMapping
    @Operation(summary = "List clients, paged; agentVersion= keeps those whose connected agent runs that version")
    public PageView<ClientViews.Summary> list(@RequestParam(required = false) String agentVersion,
            @PageableDefault(size = 50, sort = "name", direction = Sort.Direction.ASC) Pageable pageable) {
        return PageView.of(agentVersion == null ? clients.list(pageable)
                : clients.listByAgentVersion(agentVersion, pageable));
    }

    @GetMapping("/{id}")
    @Operation(summary = "One client with its live session and proxies")
    public ClientViews.Detail get(@PathVariable long id) {
        return clients.get(id);
    }

    @GetMapping("/{id}/traffic")
    @Operation(summary = "The client's bytes per second from and to visitors and its worst RTT, every 10 s over the"
            + " last 30 minutes, as seen by this node")
    public List<TrafficSample> traffic(@PathVariable long id) {
        return clients.traffic(id);
    }

    @PatchMapping("/{id}")
    @Operation(summary = "Enable/disable, describe or label a client (labels replace the set); disabling"
            + " disconnects it")
    public ClientViews.Detail update(@PathVariable long id, @Valid @RequestBody ClientRequests.Update request) {
        return clients.update(id, request);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a client; its session is disconnected and its token stops working")
    public void delete(@PathVariable long id) {
        clients.delete(id);
    }

    @PostMapping("/{id}/token")
    @Operation(summary = "Rotate the token; sessions using the old one are disconnected")
    public ClientViews.Created rotate(@PathVariable long id) {
        return clients.rotateToken(id);
    }

    @PostMapping("/{id}/disconnect")
    @Operation(summary = "Kick the client's session (cause kicked); the agent reconnects with backoff")
    public Map<String, Boolean> disconnect(@PathVariable long id) {
        return Map.of("wasOnline", clients.disconnect(id));
    }
}
