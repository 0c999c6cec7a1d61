package io.strata.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.strata.engine.Extent;
import io.strata.engine.SnapshotInfo;
import io.strata.engine.VolumeInfo;
import io.strata.server.api.ApiModel;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code --json} shapes. Their field names are an interface scripts rely on: add fields, never
 * rename them. Sizes are numbers of bytes, times ISO-8601 strings in UTC, absent values null.
 */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private Json() {}

    /** @param snapshots the in-cluster snapshots, as {@code snapshot ls} lists them: not those cut for backups or clones */
    record Volume(String name, long sizeBytes, String created, int snapshots, int layers, long allocatedBytes) {
        static Volume of(VolumeInfo info, io.strata.engine.Volume volume) {
            return new Volume(info.name().value(), info.size(), info.created().toString(),
                    io.strata.control.VolumeService.inClusterSnapshots(volume), info.layers(), info.allocatedBytes());
        }

        static Volume of(ApiModel.Volume v) {
            return new Volume(v.name(), v.sizeBytes(), v.created().toString(), v.snapshots(), v.layers(), v.allocatedBytes());
        }
    }

    /** @param labels the user's labels: Strata's own bookkeeping labels ({@code strata.io/...}) are left out */
    record Snapshot(String name, String created, long sizeBytes, String parent, boolean userCreated,
                    Map<String, String> labels) {
        static Snapshot of(SnapshotInfo info) {
            return new Snapshot(info.name().value(), info.created().toString(), info.size(),
                    info.parent().map(Object::toString).orElse(null), info.userCreated(), userLabels(info.labels()));
        }

        /** A snapshot kept in a volume, as the API shows it (the API shows only those a user took). */
        static Snapshot of(ApiModel.Snapshot s) {
            return new Snapshot(s.name(), s.created().toString(), s.sizeBytes(), s.parent(), true,
                    userLabels(s.labels() == null ? Map.of() : s.labels()));
        }
    }

    static Map<String, String> userLabels(Map<String, String> labels) {
        Map<String, String> out = new TreeMap<>(labels);
        out.keySet().removeIf(key -> key.startsWith("strata.io/"));
        return out;
    }

    record Range(long offset, long length) {
        static Range of(Extent extent) {
            return new Range(extent.offset(), extent.length());
        }
    }

    record Diff(String volume, String from, String to, long changedBytes, List<Range> ranges) {}

    static void print(PrintWriter out, Object value) {
        try {
            out.println(MAPPER.writeValueAsString(value));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot print " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
