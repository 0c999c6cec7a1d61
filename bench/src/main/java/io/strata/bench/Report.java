package io.strata.bench;

import io.strata.bench.Workload.Result;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** Prints the tables. Numbers are medians of the repetitions; the spread says how much they varied. */
final class Report {
    /** The engine's target from the spec: at least this share of the plain file's rate. */
    static final double TARGET_RATIO = 0.8;
    static final double SNAPSHOT_TARGET_MS = 20;

    private Report() {}

    static List<String> columns(int layers) {
        return List.of("plain file", "engine 1 layer", "engine " + layers + " layers");
    }

    /**
     * One line of the I/O table.
     *
     * @param medians       per column: plain file, 1-layer volume, layered volume
     * @param spreadPercent the largest (max - min) / median over the columns, in percent
     */
    record Row(String operation, String unit, double[] medians, double spreadPercent, int samples) {
        static Row of(String operation, String unit, List<List<Result>> perColumn, ToDoubleFunction<Result> metric) {
            double[] medians = new double[perColumn.size()];
            double spread = 0;
            int samples = Integer.MAX_VALUE;
            for (int c = 0; c < medians.length; c++) {
                double[] values = perColumn.get(c).stream().mapToDouble(metric).sorted().toArray();
                medians[c] = median(values);
                spread = Math.max(spread, (values[values.length - 1] - values[0]) / medians[c] * 100);
                samples = Math.min(samples, values.length);
            }
            return new Row(operation, unit, medians, spread, samples);
        }

        double ratio(int column) {
            return medians[column] / medians[0];
        }
    }

    static void printIo(PrintStream out, List<Row> rows, int layers) {
        List<String> columns = columns(layers);
        String format = "%-34s %-6s %14s %14s %16s %9s %9s %8s  %s%n";
        out.printf(Locale.ROOT, format, "operation", "unit", columns.get(0), columns.get(1), columns.get(2),
                "1L/plain", layers + "L/plain", "spread", "target >= " + TARGET_RATIO + "x");
        out.println("-".repeat(132));
        for (Row row : rows) {
            boolean iops = row.unit().equals("IOPS");
            String spread = row.samples() < 2 ? "n=1" : String.format(Locale.ROOT, "%.0f%%", row.spreadPercent());
            List<String> below = new ArrayList<>();
            for (int c = 1; c < row.medians().length; c++) {
                if (row.ratio(c) < TARGET_RATIO) {
                    below.add(c == 1 ? "1L" : layers + "L");
                }
            }
            String verdict = row.operation().isEmpty() ? "" : below.isEmpty() ? "ok" : "BELOW: " + String.join(", ", below);
            out.printf(Locale.ROOT, format, row.operation(), row.unit(),
                    value(row.medians()[0], iops), value(row.medians()[1], iops), value(row.medians()[2], iops),
                    String.format(Locale.ROOT, "%.2fx", row.ratio(1)), String.format(Locale.ROOT, "%.2fx", row.ratio(2)),
                    spread, verdict);
        }
    }

    private static String value(double v, boolean iops) {
        return iops ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    /** One snapshot-latency case: its label and the latencies in milliseconds. */
    record Latencies(String volume, String data, String note, double[] millis) {}

    static void printSnapshots(PrintStream out, List<Latencies> cases) {
        String format = "%-10s %-10s %9s %9s %9s %9s %6s  %-8s %s%n";
        out.printf(Locale.ROOT, format, "volume", "data", "min ms", "median ms", "p95 ms", "max ms", "n",
                "< " + (int) SNAPSHOT_TARGET_MS + " ms", "");
        out.println("-".repeat(96));
        for (Latencies c : cases) {
            double[] sorted = c.millis().clone();
            Arrays.sort(sorted);
            double p95 = sorted[(int) Math.ceil(0.95 * sorted.length) - 1];
            String verdict = p95 < SNAPSHOT_TARGET_MS ? "ok" : "ABOVE";
            out.printf(Locale.ROOT, format, c.volume(), c.data(), ms(sorted[0]), ms(median(sorted)), ms(p95),
                    ms(sorted[sorted.length - 1]), sorted.length, verdict, c.note());
        }
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /**
     * One line of the backup table: Strata's seconds against a reference's, per repetition.
     *
     * @param target the largest Strata / reference ratio the spec allows; NaN when the line has no target
     */
    record Comparison(String operation, String reference, double[] strata, double[] referenceSeconds, double target) {
        double ratio() {
            return medianOf(strata) / medianOf(referenceSeconds);
        }

        /** The largest (max - min) / median of the two columns, in percent. */
        double spreadPercent() {
            return Math.max(spread(strata), spread(referenceSeconds));
        }

        private static double spread(double[] values) {
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            return (sorted[sorted.length - 1] - sorted[0]) / median(sorted) * 100;
        }
    }

    static void printBackup(PrintStream out, List<Comparison> rows) {
        String format = "%-36s %9s   %-30s %9s %8s %7s  %s%n";
        out.printf(Locale.ROOT, format, "operation", "Strata s", "reference", "ref s", "ratio", "spread", "target");
        out.println("-".repeat(124));
        for (Comparison row : rows) {
            String verdict = Double.isNaN(row.target()) ? "(no target)"
                    : String.format(Locale.ROOT, "<= %.2fx %s", row.target(), row.ratio() <= row.target() ? "ok" : "MISSED");
            String spread = row.strata().length < 2 ? "n=1" : String.format(Locale.ROOT, "%.0f%%", row.spreadPercent());
            out.printf(Locale.ROOT, format, row.operation(), String.format(Locale.ROOT, "%.2f", medianOf(row.strata())),
                    row.reference(), String.format(Locale.ROOT, "%.2f", medianOf(row.referenceSeconds())),
                    String.format(Locale.ROOT, "%.2fx", row.ratio()), spread, verdict);
        }
    }

    /** Median of values in any order. */
    static double medianOf(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return median(sorted);
    }

    /** Median of sorted values. */
    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
