package io.tunnelplane.control.proxy;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

public interface ProxyRepository extends JpaRepository<Proxy, Long> {
    List<Proxy> findByClientIdOrderById(Long clientId);

    // Spelled out, like ClientRepository.findByName: read at every login.
    @Query("select p from Proxy p where p.client.id = :clientId and p.enabled = true order by p.id")
    List<Proxy> findByClientIdAndEnabledTrueOrderById(@Param("clientId") Long clientId);

    boolean existsByClientIdAndName(Long clientId, String name);

    long countByClientId(Long clientId);

    /** The enabled proxy holding a port, if any. */
    /** The enabled proxy holding a port, by {@link Proxy#portKey}. */
    Optional<Proxy> findByActiveRemotePort(int portKey);

    List<Proxy> findByType(String type);
}
