package io.strata.engine;

/** A byte range {@code [offset, offset + length)}. */
public record Extent(long offset, long length) {
    public Extent {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("extent needs offset >= 0 and length > 0, got " + offset + "+" + length);
        }
    }

    public long end() {
        return offset + length;
    }
}
