package io.tunnelplane.control.client;

import io.tunnelplane.control.proxy.ProxyService;
import io.tunnelplane.control.runtime.ClientLogin;
import java.time.Instant;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The engine's view of stored clients at login. Blocking: the engine calls it off its event loops. */
@Service
public class ClientAuthority {
    private final ClientRepository clients;
    private final ProxyService proxies;

    public ClientAuthority(ClientRepository clients, ProxyService proxies) {
        this.clients = clients;
        this.proxies = proxies;
    }

    /** The enabled client with this name, its token key and enabled proxies; empty when unknown or disabled. */
    @Transactional(readOnly = true)
    public Optional<ClientLogin> findEnabled(String name) {
        return clients.findByName(name).filter(Client::isEnabled).map(c -> new ClientLogin(c.getName(),
                HexFormat.of().parseHex(c.getTokenKey()), proxies.enabledDefinitions(c.getId())));
    }

    /** Records that these clients logged in at {@code when}: one statement for a batch of logins. */
    @Transactional
    public void markSeen(Collection<String> names, Instant when) {
        clients.markSeen(names, when);
    }
}
