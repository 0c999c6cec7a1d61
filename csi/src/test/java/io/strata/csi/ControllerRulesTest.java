package io.strata.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.control.SnapshotService.Kind;
import io.strata.csi.v1.Topology;
import io.strata.csi.v1.TopologyRequirement;
import io.strata.csi.v1.VolumeCapability;
import io.strata.csi.v1.VolumeCapability.AccessMode.Mode;
import io.strata.domain.StrataException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The Controller's rules on their own: names, capabilities, class parameters, topology, paging, locks. */
class ControllerRulesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "pvc-0f8e4c52-5a4b-4d5e-9a77-1d9f0c3b2a10 | pvc-0f8e4c52-5a4b-4d5e-9a77-1d9f0c3b2a10",
            "snapshot-1                                | snapshot-1",
            "Payroll DB / primary                      | csi-",
            "a-name-that-is-far-too-long-to-be-a-file-name-of-a-strata-volume-really | csi-",
            "ünïcödé                                   | csi-"})
    void csiNamesBecomeStrataNamesStably(String name, String expected) {
        String volume = CsiNames.newVolume(name).value();
        assertThat(volume).startsWith(expected);
        assertThat(CsiNames.newVolume(name).value()).isEqualTo(volume);
        assertThat(CsiNames.newSnapshot(name).value()).isEqualTo(volume);
        if (expected.equals("csi-")) {
            assertThat(volume).matches("csi-[0-9a-f]{32}");
        }
    }

    @ParameterizedTest
    @CsvSource({"'', is required", "'a\u0000b', control character", "'tab\u000Bbed', control character", "'x\u0085y', control character"})
    void namesTheSpecBansAreInvalid(String name, String why) {
        assertThatThrownBy(() -> CsiNames.newVolume(name)).isExactlyInstanceOf(StrataException.InvalidArgument.class)
                .hasMessageContaining(why).hasMessageStartingWith("name");
        assertThat(CsiNames.newVolume("tab\tand\nnewline").value()).as("allowed whitespace").startsWith("csi-");
    }

    private static VolumeCapability mount(String fsType, Mode mode) {
        return VolumeCapability.newBuilder().setMount(VolumeCapability.MountVolume.newBuilder().setFsType(fsType))
                .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(mode)).build();
    }

    static Stream<Arguments> capabilities() {
        VolumeCapability block = VolumeCapability.newBuilder().setBlock(VolumeCapability.BlockVolume.getDefaultInstance())
                .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(Mode.SINGLE_NODE_MULTI_WRITER)).build();
        return Stream.of(
                Arguments.of("ext4, single writer", mount("ext4", Mode.SINGLE_NODE_WRITER), ""),
                Arguments.of("default fs, reader only", mount("", Mode.SINGLE_NODE_READER_ONLY), ""),
                Arguments.of("xfs, single-node single writer", mount("xfs", Mode.SINGLE_NODE_SINGLE_WRITER), ""),
                Arguments.of("block, single-node multi writer", block, ""),
                Arguments.of("ext3", mount("ext3", Mode.SINGLE_NODE_WRITER), "ext4 (the default) or xfs"),
                Arguments.of("multi-node readers", mount("ext4", Mode.MULTI_NODE_READER_ONLY), "one node at a time"),
                Arguments.of("multi-node writers", block.toBuilder().setAccessMode(VolumeCapability.AccessMode.newBuilder()
                        .setMode(Mode.MULTI_NODE_MULTI_WRITER)).build(), "one node at a time"),
                Arguments.of("no access mode", mount("ext4", Mode.UNKNOWN), "no access mode"),
                Arguments.of("an access mode from a newer spec", mount("ext4", Mode.SINGLE_NODE_WRITER).toBuilder()
                        .setAccessMode(VolumeCapability.AccessMode.newBuilder().setModeValue(42)).build(), "does not know"),
                Arguments.of("no access type", mount("ext4", Mode.SINGLE_NODE_WRITER).toBuilder().clearMount().build(), "neither block nor mount"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("capabilities")
    void capabilitiesAreServedOnOneNodeAsBlockOrExt4OrXfs(String name, VolumeCapability capability, String why) {
        if (why.isEmpty()) {
            assertThat(Capabilities.whyNot(capability)).isEmpty();
        } else {
            assertThat(Capabilities.whyNot(capability)).get().asString().contains(why);
            assertThatThrownBy(() -> Capabilities.requireAll(List.of(mount("", Mode.SINGLE_NODE_WRITER), capability), "caps"))
                    .isExactlyInstanceOf(StrataException.InvalidArgument.class).hasMessageStartingWith("caps[1] is not supported");
        }
    }

    static Stream<Arguments> snapshotClasses() {
        return Stream.of(
                Arguments.of(Map.of(), Kind.BAK, false, Map.of()),
                Arguments.of(Map.of("type", "bak", "backupMode", "full"), Kind.BAK, true, Map.of()),
                Arguments.of(Map.of("type", "bak", "backupMode", "incremental", "team", "db"), Kind.BAK, false, Map.of("team", "db")),
                Arguments.of(Map.of("type", "ss", "csi.storage.k8s.io/volumesnapshot/name", "x"), Kind.SS, false, Map.of()),
                Arguments.of(Map.of("type", "snap", "app", "web"), Kind.SNAP, false, Map.of("app", "web")));
    }

    @ParameterizedTest
    @MethodSource("snapshotClasses")
    void snapshotClassParametersChooseTheKindAndTheRestAreLabels(Map<String, String> parameters, Kind kind, boolean full,
                                                                 Map<String, String> labels) {
        assertThat(SnapshotParameters.parse(parameters)).isEqualTo(new SnapshotParameters(kind, full, 0, labels));
    }

    @ParameterizedTest(name = "backupBlockSize {0} is {1} bytes")
    @CsvSource({"2Mi, 2097152", "16Mi, 16777216", "16777216, 16777216", "2097152, 2097152"})
    void backupBlockSizeChoosesTheBlocksOfANewBackupVolume(String value, long bytes) {
        assertThat(SnapshotParameters.parse(Map.of("backupBlockSize", value, "team", "db")))
                .isEqualTo(new SnapshotParameters(Kind.BAK, false, bytes, Map.of("team", "db")));
    }

    @ParameterizedTest
    @CsvSource({"type, BAK, bak (a backup", "type, Backup, bak (a backup", "backupMode, differential, incremental (the default) or full",
            "backupBlockSize, 4Mi, 2Mi (the default for a new backup volume) or 16Mi",
            "backupBlockSize, 1Gi, 2Mi (the default for a new backup volume) or 16Mi",
            "backupBlockSize, lots, 2Mi (the default for a new backup volume) or 16Mi"})
    void unknownSnapshotClassValuesNameWhatIsAllowed(String key, String value, String allowed) {
        assertThatThrownBy(() -> SnapshotParameters.parse(Map.of(key, value)))
                .isExactlyInstanceOf(StrataException.InvalidArgument.class).hasMessageContaining(allowed).hasMessageNotContaining(value);
    }

    @Test
    void backupBlockSizeIsForBackupsOnly() {
        assertThatThrownBy(() -> SnapshotParameters.parse(Map.of("type", "snap", "backupBlockSize", "16Mi")))
                .isExactlyInstanceOf(StrataException.InvalidArgument.class).hasMessageContaining("applies to type bak only");
    }

    @Test
    void requisiteTopologiesMustIncludeTheServersNode() {
        Topology a = Sidecars.node("node-a");
        Topology b = Sidecars.node("node-b");
        Topology zoneOnly = Topology.newBuilder().putSegments("topology.kubernetes.io/zone", "z1").build();
        Topologies.requireReachable(TopologyRequirement.getDefaultInstance(), "node-a");
        Topologies.requireReachable(TopologyRequirement.newBuilder().addPreferred(b).build(), "node-a");
        Topologies.requireReachable(TopologyRequirement.newBuilder().addRequisite(b).addRequisite(a).build(), "node-a");
        Topologies.requireReachable(TopologyRequirement.newBuilder().addRequisite(zoneOnly).build(), "node-a");
        assertThatThrownBy(() -> Topologies.requireReachable(TopologyRequirement.newBuilder().addRequisite(b).build(), "node-a"))
                .isExactlyInstanceOf(StrataException.ResourceExhausted.class);
        assertThatThrownBy(() -> Topologies.checkNodeId("node a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Topologies.checkNodeId("")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Topologies.checkNodeId("ip-10-0-1-17.eu-west-1.compute.internal")).isNotEmpty();
    }

    @Test
    void pagesFollowKeysAndRefuseForeignTokens() {
        List<String> all = List.of("d", "b", "a", "c", "e");
        Paging.Page<String> first = Paging.page(all, Function.identity(), 2, "", k -> true);
        assertThat(first.entries()).containsExactly("a", "b");
        Paging.Page<String> second = Paging.page(all, Function.identity(), 2, first.nextToken(), k -> true);
        assertThat(second.entries()).containsExactly("c", "d");
        Paging.Page<String> last = Paging.page(all, Function.identity(), 2, second.nextToken(), k -> true);
        assertThat(last.entries()).containsExactly("e");
        assertThat(last.nextToken()).isEmpty();
        assertThat(Paging.page(all, Function.identity(), 0, "", k -> true).entries()).hasSize(5);
        assertThat(Paging.page(List.of("a", "d"), Function.identity(), 0, "@c", k -> true).entries()).as("c went meanwhile")
                .containsExactly("d");
        assertThat(Paging.page(all, Function.identity(), 3, "@z", k -> true).entries()).isEmpty();
        for (String foreign : List.of("c", "@", "@bad")) {
            assertThatThrownBy(() -> Paging.page(all, Function.identity(), 1, foreign, k -> !k.isEmpty() && !k.equals("bad")))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED));
        }
        assertThatThrownBy(() -> Paging.page(all, Function.identity(), -1, "", k -> true))
                .isExactlyInstanceOf(StrataException.InvalidArgument.class);
    }

    @Test
    void aBusyVolumeIsAbortedAndReleasedLocksAreFree() {
        VolumeLocks locks = new VolumeLocks();
        try (VolumeLocks.Held held = locks.acquire("volume a", "volume b", "volume a")) {
            assertThatThrownBy(() -> locks.acquire("volume c", "volume b"))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
                        assertThat(e.getStatus().getDescription()).contains("volume b");
                    });
            locks.acquire("volume c").close(); // all or nothing: c was given back
        }
        locks.acquire("volume a", "volume b").close();
    }
}
