package io.tunnelplane.control.proxy;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

public interface ProxyRepository extends JpaRepository<Proxy, Long> {
    List<Proxy> findByClientIdOrderById(Long clientId);

    List<Proxy> findByClientIdAndEnabledTrueOrderById(Long clientId);

    boolean existsByClientIdAndName(Long clientId, String name);

    long countByClientId(Long clientId);

    /** The enabled proxy holding a port, if any. */
    /** The enabled proxy holding a port, by {@link Proxy#portKey}. */
    Optional<Proxy> findByActiveRemotePort(int portKey);

    List<Proxy> findByType(String type);
}
