package io.strata.server;

import io.strata.domain.StrataException;
import io.strata.nbd.NbdConfig;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many NBD connections {@code strata server} serves and how long a client may take to choose an
 * export: the operator's say over {@link NbdConfig}'s limits, e.g. a node whose attachments need
 * more than 256 connections, or a TCP listener shared by many clients.
 *
 * @param maxConnections          connections of the server's own user at once, and as many again of everyone else
 * @param maxConnectionsPerClient connections one other client (a TCP address, a unix user) may hold at once
 * @param handshakeTimeout        how long a client may take to choose an export before it is disconnected
 */
public record NbdLimits(int maxConnections, int maxConnectionsPerClient, Duration handshakeTimeout) {
    /**
     * Beyond this a handshake timeout protects nothing: a stalled client would hold its slot for
     * hours. Declared before {@link #DEFAULT}, whose construction checks against it.
     */
    static final Duration MAX_HANDSHAKE_TIMEOUT = Duration.ofHours(1);
    /** {@link NbdConfig}'s defaults. */
    public static final NbdLimits DEFAULT = new NbdLimits(NbdConfig.DEFAULT_MAX_CONNECTIONS,
            NbdConfig.DEFAULT_MAX_CONNECTIONS_PER_CLIENT, NbdConfig.DEFAULT_HANDSHAKE_TIMEOUT);
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    public NbdLimits {
        if (maxConnections < 1) {
            throw new StrataException.InvalidArgument("NBD max connections must be at least 1, got " + maxConnections
                    + ": set --nbd-max-connections (or STRATA_NBD_MAX_CONNECTIONS) to a positive number");
        }
        if (maxConnectionsPerClient < 1 || maxConnectionsPerClient > maxConnections) {
            throw new StrataException.InvalidArgument("NBD max connections per client must be from 1 to the max connections ("
                    + maxConnections + "), got " + maxConnectionsPerClient + ": set --nbd-max-connections-per-client (or"
                    + " STRATA_NBD_MAX_CONNECTIONS_PER_CLIENT) within it, or raise --nbd-max-connections");
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero() || handshakeTimeout.compareTo(MAX_HANDSHAKE_TIMEOUT) > 0) {
            throw new StrataException.InvalidArgument("NBD handshake timeout must be more than 0 and at most 1h, got "
                    + handshakeTimeout + ": set --nbd-handshake-timeout (or STRATA_NBD_HANDSHAKE_TIMEOUT), e.g. 10s");
        }
    }

    /**
     * The limits the flags or environment variables give, each {@code null} when not given. Connections
     * per client default to {@link NbdConfig#DEFAULT_MAX_CONNECTIONS_PER_CLIENT}, or to the total
     * when that is smaller: lowering the total alone must not make the defaults contradict it.
     *
     * @throws StrataException.InvalidArgument naming the flag whose value is not a number, or limits that cannot work
     */
    public static NbdLimits parse(String maxConnections, String maxConnectionsPerClient, String handshakeTimeout) {
        int total = Optional.ofNullable(maxConnections).map(v -> count(v, "--nbd-max-connections", "STRATA_NBD_MAX_CONNECTIONS"))
                .orElse(DEFAULT.maxConnections());
        int perClient = Optional.ofNullable(maxConnectionsPerClient)
                .map(v -> count(v, "--nbd-max-connections-per-client", "STRATA_NBD_MAX_CONNECTIONS_PER_CLIENT"))
                .orElse(Math.min(DEFAULT.maxConnectionsPerClient(), total));
        Duration timeout = Optional.ofNullable(handshakeTimeout).map(NbdLimits::duration).orElse(DEFAULT.handshakeTimeout());
        return new NbdLimits(total, perClient, timeout);
    }

    /** {@code config} with these limits. */
    public NbdConfig applyTo(NbdConfig config) {
        return config.withConnectionLimits(maxConnections, maxConnectionsPerClient).withHandshakeTimeout(handshakeTimeout);
    }

    private static int count(String text, String flag, String env) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new StrataException.InvalidArgument(flag + " (or " + env + ") '" + text + "' is not a whole number of connections");
        }
    }

    /** {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h}, or a bare number of seconds ({@code 1.5}). */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new StrataException.InvalidArgument("--nbd-handshake-timeout (or STRATA_NBD_HANDSHAKE_TIMEOUT) '" + text
                    + "' is not a duration: give e.g. 10s, 500ms or 2m");
        }
        double amount = Double.parseDouble(m.group(1));
        double millis = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> amount;
            case "m" -> amount * 60_000;
            case "h" -> amount * 3_600_000;
            default -> amount * 1000;
        };
        // past the cap it is refused by the constructor; clamp first so a huge number cannot overflow
        return Duration.ofMillis((long) Math.min(millis, MAX_HANDSHAKE_TIMEOUT.toMillis() + 1));
    }
}
