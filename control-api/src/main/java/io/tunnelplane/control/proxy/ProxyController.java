package io.tunnelplane.control.proxy;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tunnelplane.control.runtime.AccessRecord;
import jakarta.validation.Valid;
import java.time.Instant;
import java.util.List;
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
@RequestMapping("/api/v1")
@Tag(name = "proxies", description = "Public ports relayed to services behind an agent; changes apply live")
public class ProxyController {
    private final ProxyService proxies;
    private final FrpcImport frpcImport;

    public ProxyController(ProxyService proxies, FrpcImport frpcImport) {
        this.proxies = proxies;
        this.frpcImport = frpcImport;
    }

    @PostMapping(path = "/clients/{clientId}/proxies:import",
            consumes = {"application/toml", "text/plain", "application/octet-stream"})
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Import the [[proxies]] of an frpc.toml: TCP proxies are created all or nothing, other "
            + "types are listed as skipped")
    public FrpcImport.Result importFrpc(@PathVariable long clientId, @RequestBody String toml) {
        return frpcImport.importToml(clientId, toml);
    }

    @PostMapping("/clients/{clientId}/proxies")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a proxy; if the client is online its port opens before this returns")
    public ProxyView create(@PathVariable long clientId, @Valid @RequestBody ProxyRequests.Create request) {
        return proxies.create(clientId, request);
    }

    @GetMapping("/clients/{clientId}/proxies")
    public List<ProxyView> list(@PathVariable long clientId) {
        return proxies.list(clientId);
    }

    @GetMapping("/proxies/{id}")
    public ProxyView get(@PathVariable long id) {
        return proxies.get(id);
    }

    @GetMapping("/proxies/{id}/access")
    @Operation(summary = "The proxy's newest access-log entries on the node asked (connections, UDP flows, HTTP"
            + " requests, refusals), newest first; the node keeps the last " + ProxyService.ACCESS_KEPT + " per proxy")
    public List<AccessRecord> access(@PathVariable long id, @RequestParam(defaultValue = "100") int limit,
            @RequestParam(required = false) Instant since) {
        return proxies.access(id, since, limit);
    }

    @PatchMapping("/proxies/{id}")
    @Operation(summary = "Enable/disable or retarget a proxy; applied to the live session before this returns")
    public ProxyView update(@PathVariable long id, @Valid @RequestBody ProxyRequests.Update request) {
        return proxies.update(id, request);
    }

    @DeleteMapping("/proxies/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void delete(@PathVariable long id) {
        proxies.delete(id);
    }
}
