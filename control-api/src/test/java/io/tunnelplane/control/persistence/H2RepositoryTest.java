package io.tunnelplane.control.persistence;

import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.test.context.TestPropertySource;

/** The contract on H2, the embedded default. */
@DataJpaTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@TestPropertySource(properties = {
    "spring.datasource.url=jdbc:h2:mem:contract;DB_CLOSE_DELAY=-1",
    "spring.jpa.hibernate.ddl-auto=validate"})
class H2RepositoryTest extends RepositoryContract {
}
