package io.strata.csi;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.strata.csi.v1.ControllerModifyVolumeRequest;
import io.strata.csi.v1.CreateVolumeRequest;
import io.strata.csi.v1.CsiProto;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Field numbers are the wire contract with every CO and sidecar. These checks pin the ones most
 * easily broken by hand: the renamed mutable parameter fields, the secrets, and late additions.
 */
class CsiProtoContractTest {

    private static final FileDescriptor FILE = CsiProto.getDescriptor();

    @Test
    void keepsTheSpecsPackageAndServices() {
        assertThat(FILE.getPackage()).isEqualTo("csi.v1");
        assertThat(FILE.getServices()).extracting(ServiceDescriptor::getFullName).containsExactly(
                "csi.v1.Identity", "csi.v1.Controller", "csi.v1.GroupController", "csi.v1.SnapshotMetadata",
                "csi.v1.Node");
        assertThat(FILE.findServiceByName("Identity").getMethods()).extracting(m -> m.getName())
                .containsExactly("GetPluginInfo", "GetPluginCapabilities", "Probe");
        assertThat(FILE.findServiceByName("Controller").getMethods()).hasSize(15);
        assertThat(FILE.findServiceByName("Node").getMethods()).hasSize(8);
    }

    static Stream<Arguments> fieldNumbers() {
        return Stream.of(
                Arguments.of("CreateVolumeRequest.mutable_params", 8),
                Arguments.of("CreateVolumeRequest.accessibility_requirements", 7),
                Arguments.of("ValidateVolumeCapabilitiesRequest.mutable_params", 6),
                Arguments.of("ValidateVolumeCapabilitiesResponse.Confirmed.mutable_params", 4),
                Arguments.of("ControllerModifyVolumeRequest.mutable_params", 3),
                Arguments.of("ControllerPublishVolumeRequest.secrets", 5),
                Arguments.of("NodeStageVolumeRequest.secrets", 5),
                Arguments.of("NodePublishVolumeRequest.secrets", 7),
                Arguments.of("NodePublishVolumeRequest.volume_context", 8),
                Arguments.of("NodeExpandVolumeRequest.secrets", 6),
                Arguments.of("ListSnapshotsRequest.secrets", 5),
                Arguments.of("GetCapacityResponse.minimum_volume_size", 3),
                Arguments.of("Snapshot.group_snapshot_id", 6),
                Arguments.of("VolumeCapability.MountVolume.volume_mount_group", 3),
                Arguments.of("GetMetadataDeltaRequest.secrets", 5),
                Arguments.of("GetPluginCapabilitiesResponse.capabilities", 1));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("fieldNumbers")
    void fieldHasTheSpecsNumber(String path, int number) {
        int dot = path.lastIndexOf('.');
        Descriptor message = message(path.substring(0, dot));
        assertThat(message.findFieldByName(path.substring(dot + 1)).getNumber()).isEqualTo(number);
    }

    @Test
    void enumValuesHaveTheSpecsNumbers() {
        EnumDescriptor controller = message("ControllerServiceCapability.RPC").findEnumTypeByName("Type");
        assertThat(controller.findValueByName("MODIFY_VOLUME").getNumber()).isEqualTo(14);
        assertThat(controller.findValueByName("GET_SNAPSHOT").getNumber()).isEqualTo(15);
        EnumDescriptor plugin = message("PluginCapability.Service").findEnumTypeByName("Type");
        assertThat(plugin.findValueByName("SNAPSHOT_METADATA_SERVICE").getNumber()).isEqualTo(4);
        EnumDescriptor node = message("NodeServiceCapability.RPC").findEnumTypeByName("Type");
        assertThat(node.findValueByName("VOLUME_MOUNT_GROUP").getNumber()).isEqualTo(6);
    }

    @Test
    void everySecretsFieldIsMarkedSecret() {
        List<String> secrets = new ArrayList<>();
        for (Descriptor message : allMessages()) {
            for (FieldDescriptor field : message.getFields()) {
                boolean marked = field.getOptions().getExtension(CsiProto.csiSecret);
                if (field.getName().equals("secrets")) {
                    assertThat(marked).as(field.getFullName()).isTrue();
                    assertThat(field.isMapField()).as(field.getFullName()).isTrue();
                    secrets.add(field.getFullName());
                } else {
                    assertThat(marked).as(field.getFullName()).isFalse();
                }
            }
        }
        assertThat(secrets).hasSize(19);
    }

    @Test
    void renamedMutableParametersKeepTheirNumberOnTheWire() {
        byte[] bytes = CreateVolumeRequest.newBuilder().putMutableParams("k", "v").build().toByteArray();

        // field 8, wire type 2 (0x42); an entry of 6 bytes: key "k" (0a 01 6b), value "v" (12 01 76)
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("4206" + "0a016b" + "120176");
        assertThat(HexFormat.of().formatHex(
                ControllerModifyVolumeRequest.newBuilder().putMutableParams("k", "v").build().toByteArray()))
                .isEqualTo("1a06" + "0a016b" + "120176");
    }

    private static Descriptor message(String dottedName) {
        String[] parts = dottedName.split("\\.");
        Descriptor message = FILE.findMessageTypeByName(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            message = message.findNestedTypeByName(parts[i]);
        }
        assertThat(message).as(dottedName).isNotNull();
        return message;
    }

    private static List<Descriptor> allMessages() {
        List<Descriptor> all = new ArrayList<>();
        List<Descriptor> todo = new ArrayList<>(FILE.getMessageTypes());
        while (!todo.isEmpty()) {
            Descriptor next = todo.removeLast();
            all.add(next);
            todo.addAll(next.getNestedTypes());
        }
        return all;
    }
}
