package io.strata.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * How much CPU went to other processes, and to kernel threads, between two samples, from
 * {@code /proc}: other people's work on a shared machine skews a benchmark, and this says by how much.
 * The benchmark's own process counts with the tools it ran (their time shows in its children's time
 * once they have been waited for). Kernel threads are reported on their own: some of their time is
 * the write-back of the benchmark's own data, the rest other I/O on the machine.
 */
final class CpuMeter {
    /** Clock ticks per second of /proc's counters (USER_HZ), 100 on Linux. */
    private static final double TICKS = 100;
    private static final int PF_KTHREAD = 0x00200000;

    /** CPU ticks per process at a moment: user + system, with those of waited-for children. */
    record Sample(Map<Long, Long> ticks, Map<Long, Boolean> kernel, long nanos) {}

    /** Shares (0 to 1) of all cores' time between two samples; NaN when /proc could not tell. */
    record Shares(double otherProcesses, double kernelThreads) {}

    private CpuMeter() {}

    static Sample sample() {
        Map<Long, Long> ticks = new HashMap<>();
        Map<Long, Boolean> kernel = new HashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path entry : entries) {
                try {
                    String stat = Files.readString(entry.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // after the command: state(3) ppid pgrp session tty tpgid flags(9) ... utime(14) stime cutime cstime(17)
                    long pid = Long.parseLong(entry.getFileName().toString());
                    ticks.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]));
                    kernel.put(pid, (Long.parseLong(f[6]) & PF_KTHREAD) != 0);
                } catch (NoSuchFileException gone) {
                    // ended meanwhile: its time shows in its parent's children's time
                }
            }
        } catch (IOException | RuntimeException e) {
            return new Sample(Map.of(), Map.of(), System.nanoTime()); // not Linux: no figures
        }
        return new Sample(ticks, kernel, System.nanoTime());
    }

    static Shares shares(Sample from, Sample to) {
        if (to.ticks().isEmpty()) {
            return new Shares(Double.NaN, Double.NaN);
        }
        long self = ProcessHandle.current().pid();
        long others = 0;
        long kernel = 0;
        for (Map.Entry<Long, Long> e : to.ticks().entrySet()) {
            if (e.getKey() == self) {
                continue;
            }
            long used = e.getValue() - from.ticks().getOrDefault(e.getKey(), 0L);
            if (to.kernel().get(e.getKey())) {
                kernel += used;
            } else {
                others += used;
            }
        }
        double capacity = (to.nanos() - from.nanos()) / 1e9 * TICKS * Runtime.getRuntime().availableProcessors();
        return new Shares(Math.max(0, others / capacity), Math.max(0, kernel / capacity));
    }
}
