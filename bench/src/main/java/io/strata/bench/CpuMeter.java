package io.strata.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * How much CPU went to other processes, and to the kernel, between two samples, from {@code /proc}:
 * other people's work on a shared machine skews a benchmark, and this says by how much.
 *
 * <p>The machine's busy time ({@code /proc/stat}, steal included) less this process's own (with the
 * tools it ran and has waited for) is everyone else's. Of that, kernel threads and interrupts are
 * reported on their own: part of their time is the write-back of the benchmark's own data, the rest
 * other I/O on the machine. (Summing other processes one by one would not do: a process that reaps a
 * long-running child gains that child's whole lifetime in a moment.)
 */
final class CpuMeter {
    /** Clock ticks per second of /proc's counters (USER_HZ), 100 on Linux. */
    private static final double TICKS = 100;
    private static final int PF_KTHREAD = 0x00200000;

    /**
     * Busy ticks at a moment: the whole machine's (user, nice, system, steal), this process's with its
     * waited-for children, the kernel threads' together, and interrupts'.
     */
    record Sample(long machine, long own, long kernelThreads, long interrupts, long nanos) {}

    /** Shares (0 to 1) of all cores' time between two samples; NaN when /proc could not tell. */
    record Shares(double otherProcesses, double kernel) {}

    private CpuMeter() {}

    static Sample sample() {
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal
            long machine = Long.parseLong(cpu[1]) + Long.parseLong(cpu[2]) + Long.parseLong(cpu[3]) + Long.parseLong(cpu[8]);
            long interrupts = Long.parseLong(cpu[6]) + Long.parseLong(cpu[7]);
            long own = 0;
            long kernelThreads = 0;
            long self = ProcessHandle.current().pid();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
                for (Path entry : entries) {
                    String[] f;
                    try {
                        String stat = Files.readString(entry.resolve("stat"));
                        f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    } catch (NoSuchFileException gone) {
                        continue;
                    }
                    // after the command: state(3) ppid pgrp session tty tpgid flags(9) ... utime(14) stime cutime cstime(17)
                    if (Long.parseLong(entry.getFileName().toString()) == self) {
                        own = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
                    } else if ((Long.parseLong(f[6]) & PF_KTHREAD) != 0) {
                        kernelThreads += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    }
                }
            }
            return new Sample(machine, own, kernelThreads, interrupts, System.nanoTime());
        } catch (IOException | RuntimeException e) {
            return new Sample(-1, -1, -1, -1, System.nanoTime()); // not Linux: no figures
        }
    }

    static Shares shares(Sample from, Sample to) {
        if (from.machine() < 0 || to.machine() < 0) {
            return new Shares(Double.NaN, Double.NaN);
        }
        double capacity = (to.nanos() - from.nanos()) / 1e9 * TICKS * Runtime.getRuntime().availableProcessors();
        long kernelThreads = to.kernelThreads() - from.kernelThreads();
        long kernel = kernelThreads + (to.interrupts() - from.interrupts());
        long others = (to.machine() - from.machine()) - (to.own() - from.own()) - kernelThreads;
        return new Shares(Math.max(0, others / capacity), Math.max(0, kernel / capacity));
    }
}
