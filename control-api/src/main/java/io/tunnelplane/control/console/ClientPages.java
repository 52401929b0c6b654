package io.tunnelplane.control.console;

import io.tunnelplane.control.client.ClientRequests;
import io.tunnelplane.control.client.ClientService;
import io.tunnelplane.control.client.ClientViews;
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
import jakarta.validation.Validator;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.data.domain.Pageable;
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
 * The console's client pages: the list, creation with the token shown once, a client's live state, timeline and
 * diagnosis, its actions, new proxies and an frpc.toml import. Pages are server-rendered over the control plane's
 * services, with the same validation and messages as the API (a refusal is shown next to the field it names);
 * changes are plain form posts with a CSRF token; the live parts are fragments that htmx polls.
 */
@Controller
@RequestMapping("/console")
public class ClientPages {
    /** The timeline's window when the page does not ask for another. */
    static final Duration TIMELINE = Duration.ofHours(24);
    /** What the engine keeps of a client's traffic (its TrafficHistory window). */
    static final Duration TRAFFIC_WINDOW = Duration.ofMinutes(30);

    private final ClientService clients;
    private final ProxyService proxies;
    private final FrpcImport frpcImport;
    private final ConnectionEvents events;
    private final TunnelRuntime runtime;
    private final Validator validator;
    private final Clock clock;

    public ClientPages(ClientService clients, ProxyService proxies, FrpcImport frpcImport,
            ConnectionEvents events, TunnelRuntime runtime, Validator validator, Clock clock) {
        this.clients = clients;
        this.proxies = proxies;
        this.frpcImport = frpcImport;
        this.events = events;
        this.runtime = runtime;
        this.validator = validator;
        this.clock = clock;
    }

    @GetMapping("/clients")
    String clientList(@RequestParam(defaultValue = "") String q, @RequestParam(defaultValue = "all") String status,
            @RequestParam(defaultValue = "") String version, Model model) {
        model.addAttribute("q", q);
        model.addAttribute("status", status);
        model.addAttribute("version", version);
        model.addAttribute("clients", rows(q, status, version));
        if (!model.containsAttribute("form")) {
            model.addAttribute("form", new ClientForm("", "", ""));
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
        Map<String, String> errors = new LinkedHashMap<>();
        ClientRequests.Create create = new ClientRequests.Create(form.name(), FormErrors.blankToNull(form.description()),
                LabelsText.parse(form.labels(), errors));
        errors.putAll(FormErrors.violations(validator, create));
        if (errors.isEmpty()) {
            try {
                ClientViews.Created created = clients.create(create);
                redirect.addFlashAttribute("created", TokenView.of(created, runtime.agentAddress(
                        request.getServerName())));
                return "redirect:/console/clients/" + created.id() + "/token";
            } catch (ApiException refused) {
                errors.put(FormErrors.fieldOr(refused, "name"), refused.getMessage());
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
        model.addAttribute("labelsText", LabelsText.format(detail.labels()));
        model.addAttribute("traffic", TrafficChart.of(clients.traffic(id), clock.instant(), TRAFFIC_WINDOW));
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
        model.addAttribute("traffic", TrafficChart.of(clients.traffic(id), clock.instant(), TRAFFIC_WINDOW));
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

    @PostMapping("/clients/{id}/details")
    String describe(@PathVariable long id, @RequestParam(defaultValue = "") String description,
            @RequestParam(defaultValue = "") String labels, RedirectAttributes redirect) {
        Map<String, String> errors = new LinkedHashMap<>();
        ClientRequests.Update update = new ClientRequests.Update(null, description.strip(),
                LabelsText.parse(labels, errors));
        errors.putAll(FormErrors.violations(validator, update));
        if (errors.isEmpty()) {
            clients.update(id, update);
            redirect.addFlashAttribute("notice", "Description and labels saved.");
        } else {
            redirect.addFlashAttribute("detailErrors", errors);
            redirect.addFlashAttribute("typedDescription", description);
            redirect.addFlashAttribute("typedLabels", labels);
        }
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
        errors.putAll(FormErrors.violations(validator, create));
        if (errors.isEmpty()) {
            try {
                proxies.create(id, create);
                redirect.addFlashAttribute("notice", "Proxy " + create.name() + " created.");
                return "redirect:/console/clients/" + id;
            } catch (ApiException refused) {
                errors.put(FormErrors.fieldOr(refused, "name"), refused.getMessage());
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
}
