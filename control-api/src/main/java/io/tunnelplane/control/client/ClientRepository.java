package io.tunnelplane.control.client;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;
import org.springframework.transaction.annotation.Transactional;

public interface ClientRepository extends JpaRepository<Client, Long> {
    // Spelled out: a derived query is built per call through a cache every caller synchronises on, which made
    // the login lookups of a reconnect storm wait on each other (docs/benchmarks.md).
    @Query("select c from Client c where c.name = :name")
    Optional<Client> findByName(@Param("name") String name);

    boolean existsByName(String name);

    List<Client> findByNameIn(Collection<String> names);

    /** Touches last-seen without loading or versioning the client (a login must never conflict with an edit). */
    @Transactional
    @Modifying
    @Query("update Client c set c.lastSeenAt = :when where c.name in :names")
    int markSeen(@Param("names") Collection<String> names, @Param("when") Instant when);
}
