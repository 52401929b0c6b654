package io.tunnelplane.control.proxy;

import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Which client a host name belongs to, from the stored proxies: lets the virtual host tell a visitor "the agent
 * is offline" (502) rather than "no such site" (404) when nobody serves the host right now.
 */
@Service
@Transactional(readOnly = true)
public class VirtualHostOwners {
    private final ProxyRepository proxies;

    public VirtualHostOwners(ProxyRepository proxies) {
        this.proxies = proxies;
    }

    /** The client whose enabled {@code type} proxy claims {@code host}, if any. */
    public Optional<String> ownerOf(String type, String host) {
        return proxies.findByType(type).stream()
                .filter(p -> p.isEnabled() && p.getCustomDomains().contains(host))
                .map(p -> p.getClient().getName())
                .findFirst();
    }
}
