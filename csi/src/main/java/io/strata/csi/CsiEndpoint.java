package io.strata.csi;

import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the plugin serves CSI: a unix domain socket, given as {@code CSI_ENDPOINT}. The spec allows
 * only unix sockets and writes them {@code unix:///absolute/path.sock}; {@code unix:/absolute/path}
 * (the form gRPC itself also accepts) is taken too. Anything else is refused here, at startup, with a
 * message that shows the expected form, rather than as an obscure bind error later.
 *
 * @param socketPath absolute, normalized path of the socket file
 */
public record CsiEndpoint(Path socketPath) {

    /**
     * Linux keeps a socket path in {@code sockaddr_un.sun_path}: 108 bytes including the final NUL.
     * A longer path cannot be bound at all.
     */
    static final int MAX_SOCKET_PATH_BYTES = 107;

    private static final String SCHEME = "unix:";

    /** Refuses a relative path or one too long for a unix socket. */
    public CsiEndpoint {
        Objects.requireNonNull(socketPath, "socketPath");
        if (!socketPath.isAbsolute()) {
            throw new IllegalArgumentException("CSI endpoint socket path '" + socketPath
                    + "' is relative: give an absolute path, e.g. unix:///csi/csi.sock");
        }
        socketPath = socketPath.normalize();
        if (socketPath.getParent() == null) {
            throw new IllegalArgumentException("CSI endpoint socket path '" + socketPath
                    + "' names no file: give a file path, e.g. unix:///csi/csi.sock");
        }
        int bytes = socketPath.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_SOCKET_PATH_BYTES) {
            throw new IllegalArgumentException("CSI endpoint socket path '" + socketPath + "' is " + bytes
                    + " bytes long: a unix socket path may have at most " + MAX_SOCKET_PATH_BYTES
                    + "; choose a shorter directory");
        }
    }

    /**
     * Reads an endpoint URL such as {@code unix:///var/lib/kubelet/plugins/driver.strata.io/csi.sock}.
     *
     * @throws IllegalArgumentException naming the bad value and the expected form
     */
    public static CsiEndpoint parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("CSI endpoint is empty: set it to unix:///path/to/csi.sock");
        }
        String value = url.strip();
        if (!value.startsWith(SCHEME)) {
            throw new IllegalArgumentException("CSI endpoint '" + value
                    + "' is not a unix socket URL: CSI serves only on unix sockets, e.g. unix:///csi/csi.sock");
        }
        String rest = value.substring(SCHEME.length());
        String path;
        if (rest.startsWith("//")) {
            // unix://AUTHORITY/PATH: the authority must be empty, or the path would be read as a host
            path = rest.substring(2);
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("CSI endpoint '" + value
                        + "' has a host or relative path after unix://: write three slashes for an absolute"
                        + " path, e.g. unix:///csi/csi.sock");
            }
        } else {
            path = rest;
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("CSI endpoint '" + value
                    + "' does not name an absolute socket path, e.g. unix:///csi/csi.sock");
        }
        try {
            return new CsiEndpoint(Path.of(path));
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("CSI endpoint '" + value + "' is not a valid path: " + e.getReason(), e);
        }
    }

    /** The endpoint as a gRPC target and {@code CSI_ENDPOINT} value: {@code unix:///path}. */
    public String url() {
        return "unix://" + socketPath;
    }

    @Override
    public String toString() {
        return url();
    }
}
