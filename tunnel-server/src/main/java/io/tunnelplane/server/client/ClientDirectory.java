package io.tunnelplane.server.client;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where the engine looks clients up at login. Implementations may do blocking I/O (a database) and must then
 * complete on their own threads; the engine resumes on the session's event loop.
 */
public interface ClientDirectory {
    /** The enabled client with this id, or empty when it is unknown or disabled. */
    CompletionStage<Optional<ClientAccess>> find(String clientId);
}
