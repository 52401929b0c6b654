package io.tunnelplane.control.console;

import io.tunnelplane.control.client.ClientRequests;
import io.tunnelplane.control.client.ClientService;
import io.tunnelplane.control.client.ClientViews;
import io.tunnelplane.control.cluster.ClusterMembership;
import io.tunnelplane.control.cluster.NodePresence;
import io.tunnelplane.control.event.ConnectionEvent;
import io.tunnelplane.control.event.ConnectionEvents;
import io.tunnelplane.control.event.DisconnectDiagnosis;
import io.tunnelplane.control.proxy.FrpcImport;
import io.tunnelplane.control.proxy.ProxyRequests;
import io.tunnelplane.control.proxy.ProxyService;
import io.tunnelplane.control.proxy.ProxyView;
import io.tunnelplane.control.runtime.TunnelRuntime;
import io.tunnelplane.control.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.data.domain.Pageable;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The operator console: server-rendered pages over the control plane's services, the same validation and the same
 * messages as the API (a refusal is shown next to the field it names). Changes are plain form posts with a CSRF
 * token; the live parts of a page are fragments that htmx polls.
 */
@Controller
@RequestMapping("/console")
public class ConsoleController {
    /** The timeline's window when the page does not ask for another. */
    static final Duration TIMELINE = Duration.ofHours(24);
    private static final Formats FORMATS = new Formats();

    private final ClientService clients;
    private final ProxyService proxies;
    private final FrpcImport frpcImport;
    private final ConnectionEvents events;
    private final TunnelRuntime runtime;
    private final NodePresence presence;
    private final ClusterMembership membership;
    private final Validator validator;
    private final Clock clock;

    public ConsoleController(ClientService clients, ProxyService proxies, FrpcImport frpcImport,
            ConnectionEvents events, TunnelRuntime runtime, NodePresence presence, ClusterMembership membership,
            Validator validator, Clock clock) {
        this.presence = presence;
        this.membership = membership;
        this.clients = clients;
        this.proxies = proxies;
        this.frpcImport = frpcImport;
        this.events = events;
        this.runtime = runtime;
        this.validator = validator;
        this.clock = clock;
    }

    /** Whether the signed-in token may change things; read-only sessions get no buttons. */
    @ModelAttribute("admin")
    boolean admin(Authentication authentication) {
        return authentication != null && authentication.getAuthorities().stream()
                .anyMatch(a -> a.getAuthority().equals("ROLE_" + ConsoleSecurity.ADMIN));
    }

    @ModelAttribute("fmt")
    Formats formats() {
        return FORMATS;
    }

    /** The host name the operator reached the console by: a tcp or udp proxy's public address uses it too. */
    @ModelAttribute("publicHost")
    String publicHost(HttpServletRequest request) {
        return request.getServerName();
    }

    @GetMapping("/sign-in")
    String signIn() {
        return "console/sign-in";
    }

    @GetMapping
    String overview(Model model) {
        List<ClientViews.Summary> all = clients.list(Pageable.unpaged()).getContent();
        List<NodePresence.NodeRow> nodes = presence.liveNodes(membership.nodeExpiry());
        String serverVersion = nodes.stream().filter(n -> n.nodeId().equals(membership.nodeId()))
                .map(NodePresence.NodeRow::version).findFirst().orElse(null);
        model.addAttribute("overview", Overview.of(all, clients::live, events.diagnoseFleet(Duration.ofHours(24),
                20_000), serverVersion));
        model.addAttribute("nodes", nodes);
        model.addAttribute("self", membership.nodeId());
        return "console/overview";
    }

    @GetMapping("/proxies")
    String proxyList(Model model) {
        model.addAttribute("rows", clients.list(Pageable.unpaged()).getContent().stream()
                .flatMap(c -> clients.get(c.id()).proxies().stream().map(p -> new ProxyRow(c.name(), p)))
                .toList());
        return "console/proxies";
    }

    @GetMapping("/proxies/{proxyId}/edit")
    String editProxy(@PathVariable long proxyId, Model model) {
        ProxyView proxy = proxies.get(proxyId);
        model.addAttribute("proxy", proxy);
        if (!model.containsAttribute("edit")) {
            model.addAttribute("edit", ProxyEdit.of(proxy));
        }
        return "console/proxy-edit";
    }

    @PostMapping("/proxies/{proxyId}/edit")
    String saveProxy(@PathVariable long proxyId, @ModelAttribute("edit") ProxyEdit edit, Model model,
            RedirectAttributes redirect) {
        ProxyView proxy = proxies.get(proxyId);
        ProxyRequests.Update update = edit.toRequest(proxy.type());
        Map<String, String> errors = edit.parseErrors(proxy.type());
        errors.putAll(violations(update));
        if (errors.isEmpty()) {
            try {
                proxies.update(proxyId, update);
                redirect.addFlashAttribute("notice", "Proxy " + proxy.name() + " saved.");
                return "redirect:/console/clients/" + proxy.clientId();
            } catch (ApiException refused) {
                errors.put(fieldOr(refused, "localHost"), refused.getMessage());
            }
        }
        model.addAttribute("editErrors", errors);
        return editProxy(proxyId, model);
    }

    @GetMapping("/clients")
    String clientList(@RequestParam(defaultValue = "") String q, @RequestParam(defaultValue = "all") String status,
            @RequestParam(defaultValue = "") String version, Model model) {
        model.addAttribute("q", q);
        model.addAttribute("status", status);
        model.addAttribute("version", version);
        model.addAttribute("clients", rows(q, status, version));
        if (!model.containsAttribute("form")) {
            model.addAttribute("form", new ClientForm("", ""));
        }
        return "console/clients";
    }

    @GetMapping("/clients/rows")
    String clientRows(@RequestParam(defaultValue = "") String q, @RequestParam(defaultValue = "all") String status,
            @RequestParam(defaultValue = "") String version, Model model) {
        model.addAttribute("clients", rows(q, status, version));
        return "console/clients :: rows";
    }

    private List<ClientRow> rows(String q, String status, String version) {
        return ClientRow.matching(clients.list(Pageable.unpaged()).getContent(), clients::live,
                events.newestPerClient(), q, status, version);
    }

    @PostMapping("/clients")
    String createClient(@ModelAttribute("form") ClientForm form, Model model, RedirectAttributes redirect,
            HttpServletRequest request) {
        ClientRequests.Create create = new ClientRequests.Create(form.name(), emptyToNull(form.description()), null);
        Map<String, String> errors = violations(create);
        if (errors.isEmpty()) {
            try {
                ClientViews.Created created = clients.create(create);
                redirect.addFlashAttribute("created", TokenView.of(created, runtime.agentAddress(
                        request.getServerName())));
                return "redirect:/console/clients/" + created.id() + "/token";
            } catch (ApiException refused) {
                errors.put(fieldOr(refused, "name"), refused.getMessage());
            }
        }
        model.addAttribute("errors", errors);
        return clientList("", "all", "", model);
    }

    /** The token, once: only right after creation or rotation (a flash attribute), never from storage. */
    @GetMapping("/clients/{id}/token")
    String token(@PathVariable long id, Model model) {
        if (!model.containsAttribute("created")) {
            return "redirect:/console/clients/" + id;
        }
        return "console/token";
    }

    @GetMapping("/clients/{id}")
    String client(@PathVariable long id, @RequestParam(defaultValue = "24") int hours, Model model) {
        ClientViews.Detail detail = clients.get(id);
        Duration window = hours > 0 ? Duration.ofHours(Math.min(hours, 24 * 7)) : TIMELINE;
        List<ConnectionEvent> recent = events.recent(id, 500);
        model.addAttribute("client", detail);
        model.addAttribute("lastEnd", recent.isEmpty() ? null : recent.get(0));
        model.addAttribute("hours", window.toHours());
        model.addAttribute("timeline", SessionTimeline.of(recent, detail.live(), clock.instant(), window));
        model.addAttribute("diagnosis", DisconnectDiagnosis.diagnose(recent.stream().limit(50).toList(),
                clients.live(id).orElse(null)));
        if (!model.containsAttribute("proxyForm")) {
            model.addAttribute("proxyForm", ProxyForm.empty());
        }
        return "console/client";
    }

    @GetMapping("/clients/{id}/live")
    String clientLive(@PathVariable long id, Model model) {
        model.addAttribute("client", clients.get(id));
        List<ConnectionEvent> newest = events.recent(id, 1);
        model.addAttribute("lastEnd", newest.isEmpty() ? null : newest.get(0));
        return "console/client :: live";
    }

    @PostMapping("/clients/{id}/kick")
    String kick(@PathVariable long id, RedirectAttributes redirect) {
        redirect.addFlashAttribute("notice", clients.disconnect(id)
                ? "Disconnected: the agent reconnects by itself, and the timeline shows a kicked session."
                : "The client had no live session.");
        return "redirect:/console/clients/" + id;
    }

    @PostMapping("/clients/{id}/rotate")
    String rotate(@PathVariable long id, RedirectAttributes redirect, HttpServletRequest request) {
        redirect.addFlashAttribute("created", TokenView.of(clients.rotateToken(id),
                runtime.agentAddress(request.getServerName())));
        return "redirect:/console/clients/" + id + "/token";
    }

    @PostMapping("/clients/{id}/enabled")
    String enable(@PathVariable long id, @RequestParam boolean enabled, RedirectAttributes redirect) {
        clients.update(id, new ClientRequests.Update(enabled, null));
        redirect.addFlashAttribute("notice", enabled ? "Enabled." : "Disabled: its sessions were ended and its"
                + " agent is refused until it is enabled again.");
        return "redirect:/console/clients/" + id;
    }

    @PostMapping("/clients/{id}/delete")
    String delete(@PathVariable long id, @RequestParam(defaultValue = "") String confirm,
            RedirectAttributes redirect) {
        ClientViews.Detail detail = clients.get(id);
        if (!detail.name().equals(confirm)) {
            redirect.addFlashAttribute("notice", "Not deleted: type the client's name to confirm.");
            return "redirect:/console/clients/" + id;
        }
        clients.delete(id);
        redirect.addFlashAttribute("notice", "Deleted " + detail.name() + ".");
        return "redirect:/console/clients";
    }

    @PostMapping("/clients/{id}/proxies")
    String createProxy(@PathVariable long id, @ModelAttribute("proxyForm") ProxyForm form, Model model,
            RedirectAttributes redirect) {
        ProxyRequests.Create create = form.toRequest();
        Map<String, String> errors = form.parseErrors();
        errors.putAll(violations(create));
        if (errors.isEmpty()) {
            try {
                proxies.create(id, create);
                redirect.addFlashAttribute("notice", "Proxy " + create.name() + " created.");
                return "redirect:/console/clients/" + id;
            } catch (ApiException refused) {
                errors.put(fieldOr(refused, "name"), refused.getMessage());
            }
        }
        model.addAttribute("proxyErrors", errors);
        return client(id, 24, model);
    }

    @PostMapping("/clients/{id}/proxies/import")
    String importFrpc(@PathVariable long id, @RequestParam(defaultValue = "") String toml,
            RedirectAttributes redirect) {
        try {
            FrpcImport.Result result = frpcImport.importToml(id, toml);
            redirect.addFlashAttribute("notice", "Imported " + result.imported().size() + " proxies"
                    + (result.imported().isEmpty() ? "" : ": " + String.join(", ", result.imported().stream()
                    .map(ProxyView::name).toList())) + ".");
            redirect.addFlashAttribute("skipped", result.skipped());
        } catch (ApiException refused) {
            redirect.addFlashAttribute("importError", (refused.field() == null ? "" : refused.field() + ": ")
                    + refused.getMessage() + " Nothing was imported.");
            redirect.addFlashAttribute("toml", toml);
        }
        return "redirect:/console/clients/" + id + "#import-title";
    }

    @PostMapping("/proxies/{proxyId}/enabled")
    String enableProxy(@PathVariable long proxyId, @RequestParam boolean enabled, RedirectAttributes redirect) {
        ProxyView proxy = proxies.update(proxyId, new ProxyRequests.Update(enabled, null, null, null, null, null,
                null));
        redirect.addFlashAttribute("notice", "Proxy " + proxy.name() + (enabled ? " enabled." : " disabled: its"
                + " public port is closed."));
        return "redirect:/console/clients/" + proxy.clientId();
    }

    @PostMapping("/proxies/{proxyId}/delete")
    String deleteProxy(@PathVariable long proxyId, RedirectAttributes redirect) {
        ProxyView proxy = proxies.get(proxyId);
        proxies.delete(proxyId);
        redirect.addFlashAttribute("notice", "Proxy " + proxy.name() + " deleted.");
        return "redirect:/console/clients/" + proxy.clientId();
    }

    private <T> Map<String, String> violations(T request) {
        Map<String, String> errors = new LinkedHashMap<>();
        Set<ConstraintViolation<T>> found = validator.validate(request);
        for (ConstraintViolation<T> violation : found) {
            errors.putIfAbsent(violation.getPropertyPath().toString(), violation.getMessage());
        }
        return errors;
    }

    private static String fieldOr(ApiException refused, String fallback) {
        return refused.field() == null ? fallback : refused.field();
    }

    private static String emptyToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
