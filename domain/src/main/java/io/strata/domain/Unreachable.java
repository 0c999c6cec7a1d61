package io.strata.domain;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;

/**
 * Recognises a remote endpoint (a backup target) that could not be reached or did not answer in
 * time, under whatever wraps it: the one place each edge (CSI, HTTP) asks, so that both answer
 * "unavailable, retry" for the same failures. Only the network: a missing file or a full disk is
 * not "unreachable".
 */
public final class Unreachable {
    /**
     * Apache HttpClient (under the S3 SDK) has its own types for two network failures: a connect
     * timeout ({@code ConnectTimeoutException}, an {@link java.io.InterruptedIOException} rather
     * than a {@link SocketTimeoutException}) and a server that dropped the connection before
     * answering ({@code NoHttpResponseException}). Matched by name so that no module below the S3
     * target needs the HTTP client.
     */
    private static final Set<String> APACHE_NETWORK_FAILURES = Set.of("ConnectTimeoutException", "NoHttpResponseException");

    private Unreachable() {}

    /** The first exception in the cause chain that says the network failed, if any. */
    public static Optional<Throwable> cause(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof ConnectException
                    || t instanceof NoRouteToHostException
                    || t instanceof SocketTimeoutException
                    || t instanceof UnknownHostException
                    || t instanceof HttpTimeoutException
                    || t instanceof IOException && APACHE_NETWORK_FAILURES.contains(t.getClass().getSimpleName())) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
