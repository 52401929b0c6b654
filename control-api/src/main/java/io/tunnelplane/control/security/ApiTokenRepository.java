package io.tunnelplane.control.security;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

public interface ApiTokenRepository extends JpaRepository<ApiToken, Long> {
    List<ApiToken> findByRole(String role);
}
