package io.strata.backupstore;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Port: where a restore writes, a new volume as its owner provides it. It starts all zeroes, so a
 * restore writes only the blocks that hold data. Writes to distinct ranges may come from several
 * threads at once; {@link #flush()} makes them durable.
 */
public interface RestoreSink {

    long size();

    void write(ByteBuffer src, long offset) throws IOException;

    void flush() throws IOException;
}
