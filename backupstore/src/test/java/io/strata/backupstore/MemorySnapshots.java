package io.strata.backupstore;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Snapshots of one volume as byte arrays: a {@link BackupSource} per snapshot, changed ranges by comparison. */
final class MemorySnapshots {
    private static final int GRAIN = 4096;
    final Map<String, byte[]> snapshots = new LinkedHashMap<>();

    void take(String name, byte[] content) {
        snapshots.put(name, content.clone());
    }

    BackupSource source(String name) {
        byte[] content = snapshots.get(name);
        return new BackupSource() {
            @Override
            public String snapshotName() {
                return name;
            }

            @Override
            public long size() {
                return content.length;
            }

            @Override
            public boolean hasSnapshot(String other) {
                return snapshots.containsKey(other);
            }

            @Override
            public List<long[]> changedRanges(Optional<String> since) {
                byte[] old = since.map(snapshots::get).orElse(null);
                List<long[]> out = new ArrayList<>();
                for (int at = 0; at < content.length; at += GRAIN) {
                    int end = Math.min(content.length, at + GRAIN);
                    boolean changed = old == null
                            ? !Arrays.equals(content, at, end, new byte[end - at], 0, end - at)
                            : old.length < end || !Arrays.equals(content, at, end, old, at, end);
                    if (changed) {
                        out.add(new long[] {at, end - at});
                    }
                }
                return out;
            }

            @Override
            public void read(ByteBuffer dst, long offset) {
                dst.put(content, (int) offset, dst.remaining());
            }
        };
    }

    /** A restore target of {@code size} zero bytes. */
    static final class Sink implements RestoreSink {
        final byte[] bytes;
        int writes;
        boolean flushed;

        Sink(long size) {
            bytes = new byte[(int) size];
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public synchronized void write(ByteBuffer src, long offset) {
            src.get(bytes, (int) offset, src.remaining());
            writes++;
        }

        @Override
        public void flush() {
            flushed = true;
        }
    }
}
