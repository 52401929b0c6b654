package io.tunnelplane.protocol.handshake;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Sent with the login after the agent found that its previous session ended during, or just after, a pause of its
 * own (its host slept, or the process was frozen): the server corrects what it recorded for that session.
 *
 * <p>It rides in the login's previous-cause field as {@code cause;key=value} pairs, the way a GOAWAY carries its
 * reconnect hint: a server that does not know the pairs reads the cause before the first {@code ;} and ignores the
 * rest, so agents and servers of either age keep talking.
 *
 * @param sessionId       the session the pause ended
 * @param startedAtMillis wall-clock time the pause began
 * @param pausedMillis    how long the agent did not run
 * @param kind            the pause's kind as a wire name ({@code frozen}, {@code suspended}, {@code loop_stalled})
 */
public record PauseReport(String sessionId, long startedAtMillis, long pausedMillis, String kind) {
    private static final String SESSION = "paused-session";
    private static final String AT = "paused-at";
    private static final String LENGTH = "paused-ms";
    private static final String KIND = "pause-kind";

    /** {@code cause} with this report appended. */
    public String appendTo(String cause) {
        return cause + ';' + SESSION + '=' + clean(sessionId) + ';' + AT + '=' + startedAtMillis + ';' + LENGTH + '='
                + pausedMillis + ';' + KIND + '=' + clean(kind);
    }

    /** The report appended to a login's previous cause, if there is a complete one. */
    public static Optional<PauseReport> in(String previousCause) {
        if (previousCause == null || previousCause.indexOf(';') < 0) {
            return Optional.empty();
        }
        Map<String, String> pairs = new HashMap<>();
        for (String part : previousCause.substring(previousCause.indexOf(';') + 1).split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                pairs.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        try {
            String session = pairs.get(SESSION);
            String kind = pairs.get(KIND);
            if (session == null || session.isEmpty() || kind == null) {
                return Optional.empty();
            }
            return Optional.of(new PauseReport(session, Long.parseLong(pairs.get(AT)),
                    Long.parseLong(pairs.get(LENGTH)), kind));
        } catch (NumberFormatException | NullPointerException malformed) {
            return Optional.empty(); // a report we cannot read corrects nothing
        }
    }

    private static String clean(String value) {
        return value.replace(";", "").replace("=", "");
    }
}
