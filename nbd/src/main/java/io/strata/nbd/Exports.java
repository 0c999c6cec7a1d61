package io.strata.nbd;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The port through which the server finds what to serve. The caller (a Strata node, a test, the
 * benchmark's main) implements it; {@link EngineExports} does so over a volume store.
 *
 * <p>Called from many connection threads at once.
 */
public interface Exports {

    /**
     * Opens a lease on the export named {@code name}, exactly as the client sent it; empty when no
     * such export exists (including names that are not valid at all). A failure to open an export
     * that exists is an exception, which the client sees as an error reply.
     */
    Optional<Export> open(String name) throws IOException;

    /** Names of the exports a client may open, for {@code NBD_OPT_LIST}. */
    List<String> names() throws IOException;
}
