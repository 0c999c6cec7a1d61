package io.strata.csi;

import io.grpc.Status;
import io.strata.domain.StrataException;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Pages of a list for ListVolumes and ListSnapshots. Entries are ordered by a key (a volume name, a
 * snapshot handle), and a page token is {@code @} and the key of the first entry of the next page:
 * a page starts at the first key not below it, so entries deleted or added between calls never
 * make the CO skip one that stayed. A token this plugin cannot have handed out is ABORTED, as the
 * spec asks, so that the CO lists again from the start.
 */
final class Paging {

    private static final String TOKEN_MARK = "@";

    /** One page, and the token of the next one (empty after the last page). */
    record Page<T>(List<T> entries, String nextToken) {}

    private Paging() {}

    /**
     * @param validKey whether a token's key is one an entry could have
     * @throws StrataException.InvalidArgument when {@code maxEntries} is negative
     */
    static <T> Page<T> page(List<T> entries, Function<T, String> key, int maxEntries, String startingToken,
                            Predicate<String> validKey) {
        if (maxEntries < 0) {
            throw new StrataException.InvalidArgument("max_entries must not be negative; 0 means no limit");
        }
        List<T> sorted = entries.stream().sorted(Comparator.comparing(key)).toList();
        int from = 0;
        if (!startingToken.isEmpty()) {
            String start = startingToken.startsWith(TOKEN_MARK) ? startingToken.substring(TOKEN_MARK.length()) : null;
            if (start == null || !validKey.test(start)) {
                // not a domain error: a stale or foreign token is CSI's own kind of failure
                throw Status.ABORTED.withDescription("starting_token is not a token this plugin handed out: list again"
                        + " without one").asRuntimeException();
            }
            while (from < sorted.size() && key.apply(sorted.get(from)).compareTo(start) < 0) {
                from++;
            }
        }
        int to = maxEntries == 0 ? sorted.size() : (int) Math.min(sorted.size(), (long) from + maxEntries);
        String next = to < sorted.size() ? TOKEN_MARK + key.apply(sorted.get(to)) : "";
        return new Page<>(sorted.subList(from, to), next);
    }
}
