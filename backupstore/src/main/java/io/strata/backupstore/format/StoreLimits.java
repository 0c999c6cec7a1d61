package io.strata.backupstore.format;

/**
 * The most bytes Strata reads for each kind of object in a backup target. A target may be written by
 * someone else (another cluster, a user with shell access to the NFS export, an attacker): a reader
 * that takes whatever size is there can be made to hang on a 3 GiB sparse cfg or to fill the heap
 * from a block that is a link to {@code /dev/zero}. Objects beyond these bounds are refused as
 * corrupt before they are read.
 *
 * <p>The bounds, and why:
 * <ul>
 *   <li><b>volume.cfg and locks: 8 MiB.</b> They hold names, times and labels only; Longhorn's are
 *       under 2 KiB. 8 MiB leaves room for any label set a Kubernetes object can carry (256 KiB).</li>
 *   <li><b>A backup cfg: 8 MiB plus 128 bytes per block the volume can have at the smallest block
 *       size (2 MiB).</b> Its block map lists one entry per stored block, and an entry
 *       ({@code {"Offset":70368742080512,"BlockChecksum":"<64 hex>"},}) is at most 109 bytes. The
 *       volume's size comes from its volume.cfg; a 100 GiB volume's backup cfg may be 14.4 MiB, a
 *       1 TiB one's 72 MiB. A volume of Strata's largest size (64 TiB) would need 4 GiB, more than a
 *       Java array holds, so the bound stops at {@link #MAX_ARRAY}: 2 GiB covers a block map of
 *       16.7 million blocks (32 TiB of data at 2 MiB blocks, all of it at 16 MiB). Without a readable
 *       volume.cfg the bound is the one for the largest volume.</li>
 *   <li><b>A block: its block size plus 1/128 of it plus 64 KiB.</b> Data that does not compress
 *       grows by at most n/255 + 16 bytes in LZ4, 5 bytes per 16 KiB in gzip and n/256 + 128 KiB in
 *       zstd (whose frame header alone may be 18 bytes); 1/128 + 64 KiB is above each of them.</li>
 * </ul>
 */
public final class StoreLimits {
    private StoreLimits() {}

    /** The largest array the JVM allocates, a little under 2 GiB. */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** The most a volume.cfg, a lock file or any other small object may hold. */
    public static final long SMALL_OBJECT = 8L << 20;

    /** Strata's largest volume (the engine's limit), the bound for a volume whose size is not known. */
    public static final long LARGEST_VOLUME = 64L << 40;

    /** The smallest block size Longhorn and Strata write, so the most blocks a volume can have. */
    private static final long SMALLEST_BLOCK = 2L << 20;

    /** At least the longest JSON entry of one block in a block map (109 bytes). */
    static final long BLOCK_ENTRY = 128;

    /** The most a backup cfg of a volume of {@code volumeSize} bytes may hold. */
    public static long backupConfig(long volumeSize) {
        long size = volumeSize <= 0 || volumeSize > LARGEST_VOLUME ? LARGEST_VOLUME : volumeSize;
        long blocks = (size + SMALLEST_BLOCK - 1) / SMALLEST_BLOCK;
        return Math.min(MAX_ARRAY, SMALL_OBJECT + blocks * BLOCK_ENTRY);
    }

    /** The most a stored (compressed) block of {@code blockSize} bytes may hold, in any compression. */
    public static long block(long blockSize) {
        return Math.min(MAX_ARRAY, blockSize + blockSize / 128 + (64L << 10));
    }
}
