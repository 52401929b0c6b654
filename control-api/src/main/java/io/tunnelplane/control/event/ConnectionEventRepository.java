package io.tunnelplane.control.event;

import java.time.Instant;
import java.util.List;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;
import org.springframework.transaction.annotation.Transactional;

public interface ConnectionEventRepository extends JpaRepository<ConnectionEvent, Long> {
    Page<ConnectionEvent> findByClientIdOrderByDisconnectedAtDescIdDesc(Long clientId, Pageable pageable);

    List<ConnectionEvent> findBySessionId(String sessionId);

    /** Each client's newest ended session: why an offline agent left. */
    @Query("select e from ConnectionEvent e where e.id in"
            + " (select max(latest.id) from ConnectionEvent latest group by latest.clientId)")
    List<ConnectionEvent> findNewestPerClient();

    /** Every client's events that ended after {@code since}, newest first, for the fleet's diagnosis. */
    List<ConnectionEvent> findByDisconnectedAtAfterOrderByDisconnectedAtDesc(Instant since, Pageable pageable);

    @Transactional
    @Modifying
    @Query("delete from ConnectionEvent e where e.disconnectedAt < :before")
    int deleteOlderThan(@Param("before") Instant before);
}
