package io.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reader of the Prometheus text format (0.0.4) strict enough to catch a malformed exposition:
 * every sample line is {@code name{label="value",...} number}, every family has its TYPE before its
 * samples, and no sample appears twice.
 */
final class PrometheusText {
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    /** Samples by name and labels, e.g. {@code strata_jobs{kind="backup",state="complete"}} (labels sorted). */
    final Map<String, Double> samples = new TreeMap<>();
    final Map<String, String> types = new TreeMap<>();

    static PrometheusText parse(String text) {
        PrometheusText out = new PrometheusText();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                assertThat(parts).as("TYPE line %s", line).hasSize(4);
                assertThat(out.types.put(parts[2], parts[3])).as("one TYPE for %s", parts[2]).isNull();
                continue;
            }
            if (line.startsWith("#")) {
                assertThat(line).as("comment line").matches("# (HELP|TYPE) .*");
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("sample line '%s'", line).isTrue();
            String name = m.group(1);
            Map<String, String> labels = new TreeMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                int end = 0;
                while (l.find() && l.start() == end) {
                    labels.put(l.group(1), l.group(2));
                    end = l.end();
                }
                assertThat(end).as("labels of '%s'", line).isEqualTo(m.group(3).length());
            }
            assertThat(out.types.keySet().stream().anyMatch(family -> name.equals(family) || name.startsWith(family + "_")))
                    .as("a TYPE before %s", name).isTrue();
            double value = switch (m.group(4)) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(m.group(4));
            };
            String key = name + (labels.isEmpty() ? "" : labels.toString().replace(", ", ",").replaceAll("=([^,}]*)", "=\"$1\""));
            assertThat(out.samples.put(key, value)).as("one sample %s", key).isNull();
        }
        return out;
    }

    /** The value of a sample; fails when there is none. */
    double value(String key) {
        Double value = samples.get(key);
        assertThat(value).as("sample %s among %s", key, samples.keySet()).isNotNull();
        return value;
    }

    Set<String> names() {
        Set<String> names = new TreeSet<>();
        samples.keySet().forEach(k -> names.add(k.contains("{") ? k.substring(0, k.indexOf('{')) : k));
        return names;
    }
}
