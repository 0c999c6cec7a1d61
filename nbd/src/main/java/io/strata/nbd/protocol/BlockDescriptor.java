package io.strata.nbd.protocol;

/** One extent of a block status reply: {@code length} bytes (unsigned 32-bit) in state {@code flags}. */
public record BlockDescriptor(int length, int flags) {}
