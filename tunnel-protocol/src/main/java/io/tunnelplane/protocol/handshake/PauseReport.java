package io.tunnelplane.protocol.handshake;

/**
 * Sent with the login after the agent found that its previous session ended during, or just after, a pause of its
 * own (its host slept, or the process was frozen): the server corrects what it recorded for that session.
 *
 * @param sessionId       the session the pause ended
 * @param startedAtMillis wall-clock time the pause began
 * @param pausedMillis    how long the agent did not run
 * @param kind            the pause's kind as a wire name ({@code frozen}, {@code suspended}, {@code loop_stalled})
 */
public record PauseReport(String sessionId, long startedAtMillis, long pausedMillis, String kind) {
}
