package io.tunnelplane.control.console;

import io.tunnelplane.control.client.ClientService;
import io.tunnelplane.control.proxy.ProxyRequests;
import io.tunnelplane.control.proxy.ProxyService;
import io.tunnelplane.control.proxy.ProxyView;
import io.tunnelplane.control.web.ApiException;
import jakarta.validation.Validator;
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

/** Every client's proxies on one page, and a proxy's edit, enable/disable and delete. */
@Controller
@RequestMapping("/console/proxies")
public class ProxyPages {
    private final ClientService clients;
    private final ProxyService proxies;
    private final Validator validator;

    public ProxyPages(ClientService clients, ProxyService proxies, Validator validator) {
        this.clients = clients;
        this.proxies = proxies;
        this.validator = validator;
    }

    @GetMapping
    String proxyList(Model model) {
        model.addAttribute("rows", clients.list(Pageable.unpaged()).getContent().stream()
                .flatMap(c -> clients.get(c.id()).proxies().stream().map(p -> new ProxyRow(c.name(), p)))
                .toList());
        return "console/proxies";
    }

    @GetMapping("/{proxyId}/edit")
    String editProxy(@PathVariable long proxyId, Model model) {
        ProxyView proxy = proxies.get(proxyId);
        model.addAttribute("proxy", proxy);
        if (!model.containsAttribute("edit")) {
            model.addAttribute("edit", ProxyEdit.of(proxy));
        }
        return "console/proxy-edit";
    }

    @PostMapping("/{proxyId}/edit")
    String saveProxy(@PathVariable long proxyId, @ModelAttribute("edit") ProxyEdit edit, Model model,
            RedirectAttributes redirect) {
        ProxyView proxy = proxies.get(proxyId);
        ProxyRequests.Update update = edit.toRequest(proxy.type());
        Map<String, String> errors = edit.parseErrors(proxy.type());
        errors.putAll(FormErrors.violations(validator, update));
        if (errors.isEmpty()) {
            try {
                proxies.update(proxyId, update);
                redirect.addFlashAttribute("notice", "Proxy " + proxy.name() + " saved.");
                return "redirect:/console/clients/" + proxy.clientId();
            } catch (ApiException refused) {
                errors.put(FormErrors.fieldOr(refused, "localHost"), refused.getMessage());
            }
        }
        model.addAttribute("editErrors", errors);
        return editProxy(proxyId, model);
    }

    @PostMapping("/{proxyId}/enabled")
    String enableProxy(@PathVariable long proxyId, @RequestParam boolean enabled, RedirectAttributes redirect) {
        ProxyView proxy = proxies.update(proxyId, new ProxyRequests.Update(enabled, null, null, null, null, null,
                null));
        redirect.addFlashAttribute("notice", "Proxy " + proxy.name() + (enabled ? " enabled." : " disabled: its"
                + " public port is closed."));
        return "redirect:/console/clients/" + proxy.clientId();
    }

    @PostMapping("/{proxyId}/delete")
    String deleteProxy(@PathVariable long proxyId, RedirectAttributes redirect) {
        ProxyView proxy = proxies.get(proxyId);
        proxies.delete(proxyId);
        redirect.addFlashAttribute("notice", "Proxy " + proxy.name() + " deleted.");
        return "redirect:/console/clients/" + proxy.clientId();
    }
}
