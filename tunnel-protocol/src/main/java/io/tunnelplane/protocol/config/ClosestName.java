package io.tunnelplane.protocol.config;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean …?" for setting names: the known name nearest by edit distance, if it is close enough for a typo. */
public final class ClosestName {
    private ClosestName() {
    }

    /**
     * The known name closest to {@code unknown}, when at most two edits or half the length of its last
     * dot-separated segment apart (a misspelt word, not a different setting).
     */
    public static Optional<String> among(String unknown, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = editDistance(unknown, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        int lastSegment = unknown.length() - unknown.lastIndexOf('.') - 1;
        return best != null && bestDistance <= Math.max(2, lastSegment / 2) ? Optional.of(best) : Optional.empty();
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
