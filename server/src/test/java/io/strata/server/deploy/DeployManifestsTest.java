package io.strata.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.strata.csi.CsiClient;
import io.strata.csi.CsiEndpoint;
import io.strata.csi.DriverName;
import io.strata.csi.v1.CapacityRange;
import io.strata.csi.v1.CreateSnapshotRequest;
import io.strata.csi.v1.CreateVolumeRequest;
import io.strata.csi.v1.GetPluginInfoRequest;
import io.strata.csi.v1.ListSnapshotsRequest;
import io.strata.csi.v1.Snapshot;
import io.strata.csi.v1.VolumeCapability;
import io.strata.domain.SnapshotHandle;
import io.strata.server.ServerConfig;
import io.strata.server.StrataServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifests under {@code deploy/} against the code they configure: names that must match, and
 * the StorageClass's and snapshot classes' parameters sent to a real server over its CSI socket.
 */
class DeployManifestsTest {
    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path tmp;

    private static List<JsonNode> objects() throws IOException {
        List<JsonNode> objects = new ArrayList<>();
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (var parser = YAML.createParser(file.toFile())) {
                    YAML.readValues(parser, JsonNode.class).forEachRemaining(node -> {
                        if (node != null && !node.isNull()) {
                            objects.add(node);
                        }
                    });
                }
            }
        }
        return objects;
    }

    private static List<JsonNode> ofKind(List<JsonNode> objects, String kind) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    private static String name(JsonNode object) {
        return object.path("metadata").path("name").asText();
    }

    @Test
    void everyObjectNamesTheDriverTheServerRegistersAs() throws IOException {
        List<JsonNode> objects = objects();
        String driver = DriverName.DEFAULT.value();
        assertThat(ofKind(objects, "CSIDriver")).singleElement().satisfies(d -> assertThat(name(d)).isEqualTo(driver));
        assertThat(ofKind(objects, "StorageClass")).isNotEmpty()
                .allSatisfy(c -> assertThat(c.path("provisioner").asText()).isEqualTo(driver));
        assertThat(ofKind(objects, "VolumeSnapshotClass")).hasSize(2)
                .allSatisfy(c -> assertThat(c.path("driver").asText()).isEqualTo(driver));
        assertThat(ofKind(objects, "VolumeSnapshotContent")).allSatisfy(c -> {
            assertThat(c.path("spec").path("driver").asText()).isEqualTo(driver);
            SnapshotHandle handle = SnapshotHandle.parse(c.path("spec").path("source").path("snapshotHandle").asText());
            assertThat(handle).isInstanceOf(SnapshotHandle.Backup.class);
        });

        JsonNode pod = ofKind(objects, "DaemonSet").getFirst().path("spec").path("template").path("spec");
        Map<String, JsonNode> containers = new HashMap<>();
        pod.path("containers").forEach(c -> containers.put(c.path("name").asText(), c));
        assertThat(containers).containsKeys("strata", "csi-provisioner", "csi-attacher", "csi-snapshotter", "csi-resizer",
                "node-driver-registrar", "liveness-probe");
        Map<String, String> env = new HashMap<>();
        containers.get("strata").path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        CsiEndpoint endpoint = CsiEndpoint.parse(env.get("STRATA_CSI_ENDPOINT"));
        assertThat(ServerConfig.parseHttp(env.get("STRATA_HTTP"))).isPresent();
        // the Service's names are names of the server, and the token Secret is mounted where the server reads its tokens
        assertThat(ServerConfig.parseHttpHosts(env.get("STRATA_HTTP_HOSTS"))).contains("strata.strata-system.svc");
        String tokenSecret = "";
        for (JsonNode volume : pod.path("volumes")) {
            if (volume.path("secret").path("secretName").asText().equals("strata-api-tokens")) {
                tokenSecret = volume.path("name").asText();
            }
        }
        assertThat(ofKind(objects, "Secret")).extracting(DeployManifestsTest::name).contains("strata-api-tokens");
        String mountedAt = "";
        for (JsonNode mount : containers.get("strata").path("volumeMounts")) {
            if (mount.path("name").asText().equals(tokenSecret)) {
                mountedAt = mount.path("mountPath").asText();
            }
        }
        assertThat(mountedAt).as("the token Secret's mount").isNotEmpty().isEqualTo(env.get("STRATA_API_TOKENS"));
        // every sidecar reaches the socket the server listens on, and the kubelet finds it on the host
        String socketInPod = endpoint.socketPath().toString();
        containers.values().stream().filter(c -> !c.path("name").asText().equals("strata"))
                .forEach(c -> assertThat(c.path("args").toString()).contains("--csi-address=" + socketInPod));
        String hostDir = "";
        for (JsonNode volume : pod.path("volumes")) {
            if (volume.path("name").asText().equals("socket-dir")) {
                hostDir = volume.path("hostPath").path("path").asText();
            }
        }
        assertThat(hostDir).isEqualTo("/var/lib/kubelet/plugins/" + driver);
        assertThat(containers.get("node-driver-registrar").path("args").toString())
                .contains("--kubelet-registration-path=" + hostDir + "/" + endpoint.socketPath().getFileName());
    }

    @Test
    void theStrataContainerIsProbedAndHasResourcesAndAHeapBound() throws IOException {
        JsonNode pod = ofKind(objects(), "DaemonSet").getFirst().path("spec").path("template").path("spec");
        JsonNode strata = null;
        for (JsonNode c : pod.path("containers")) {
            if (c.path("name").asText().equals("strata")) {
                strata = c;
            }
        }
        assertThat(strata).isNotNull();
        // the probes reach the HTTP port the container declares, on the health routes
        String port = strata.path("ports").get(0).path("name").asText();
        JsonNode liveness = strata.path("livenessProbe").path("httpGet");
        JsonNode readiness = strata.path("readinessProbe").path("httpGet");
        assertThat(liveness.path("path").asText()).isEqualTo("/healthz");
        assertThat(liveness.path("port").asText()).isEqualTo(port);
        assertThat(readiness.path("path").asText()).isEqualTo("/readyz");
        assertThat(readiness.path("port").asText()).isEqualTo(port);
        JsonNode resources = strata.path("resources");
        assertThat(resources.path("requests").path("cpu").asText()).isNotEmpty();
        assertThat(resources.path("requests").path("memory").asText()).isNotEmpty();
        assertThat(resources.path("limits").path("memory").asText()).isNotEmpty();
        Map<String, String> env = new HashMap<>();
        strata.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        assertThat(env.get("JAVA_TOOL_OPTIONS")).contains("-XX:MaxRAMPercentage=");
    }

    @Test
    void theImageHasTheKernelNbdClientAHeapBoundAndASmallBuildContext() throws IOException {
        String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
        String runtime = dockerfile.substring(dockerfile.lastIndexOf("FROM "));
        assertThat(runtime).contains(" nbd-client ").contains(" nbdfuse ").contains("MaxRAMPercentage");
        List<String> ignored = Files.readAllLines(DEPLOY.resolveSibling(".dockerignore")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(ignored).contains("strata-data/", "**/target/", ".git", "bench/out/", "*.img");
        // what the build stage compiles from must stay in the context
        assertThat(ignored).noneMatch(l -> l.equals("mvnw") || l.startsWith(".mvn") || l.equals("pom.xml") || l.contains("src"));
    }

    @Test
    void examplesReferToObjectsThatExist() throws IOException {
        List<JsonNode> objects = objects();
        List<String> storageClasses = ofKind(objects, "StorageClass").stream().map(DeployManifestsTest::name).toList();
        List<String> snapshotClasses = ofKind(objects, "VolumeSnapshotClass").stream().map(DeployManifestsTest::name).toList();
        List<String> snapshots = ofKind(objects, "VolumeSnapshot").stream().map(DeployManifestsTest::name).toList();
        List<String> claims = ofKind(objects, "PersistentVolumeClaim").stream().map(DeployManifestsTest::name).toList();
        assertThat(ofKind(objects, "PersistentVolumeClaim")).allSatisfy(pvc -> {
            assertThat(storageClasses).contains(pvc.path("spec").path("storageClassName").asText());
            JsonNode source = pvc.path("spec").path("dataSource");
            if (!source.isMissingNode()) {
                assertThat(snapshots).contains(source.path("name").asText());
            }
        });
        assertThat(ofKind(objects, "VolumeSnapshot")).allSatisfy(s -> {
            assertThat(snapshotClasses).contains(s.path("spec").path("volumeSnapshotClassName").asText());
            JsonNode claim = s.path("spec").path("source").path("persistentVolumeClaimName");
            if (!claim.isMissingNode()) {
                assertThat(claims).contains(claim.asText());
            }
        });
    }

    @Test
    void theClassesParametersAreWhatTheServerTakes() throws Exception {
        List<JsonNode> objects = objects();
        Path data = tmp.resolve("data");
        ServerConfig config = new ServerConfig(data, ServerConfig.defaultBackupTarget(data), ServerConfig.defaultCsiEndpoint(data),
                DriverName.DEFAULT, "node-1", Map.of("STRATA_BACKUP_LOCK_SETTLE", "0"));
        try (StrataServer server = StrataServer.start(config); CsiClient csi = CsiClient.connect(config.csiEndpoint())) {
            assertThat(csi.identity().getPluginInfo(GetPluginInfoRequest.getDefaultInstance()).getName())
                    .isEqualTo(name(ofKind(objects, "CSIDriver").getFirst()));
            JsonNode storageClass = ofKind(objects, "StorageClass").getFirst();
            Map<String, String> volumeParameters = strings(storageClass.path("parameters"));
            VolumeCapability capability = VolumeCapability.newBuilder()
                    .setMount(VolumeCapability.MountVolume.newBuilder().setFsType(volumeParameters.get("csi.storage.k8s.io/fstype")))
                    .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER))
                    .build();
            // the provisioner strips its own csi.storage.k8s.io/ keys; what is left reaches the driver
            Map<String, String> passed = new HashMap<>(volumeParameters);
            passed.keySet().removeIf(k -> k.startsWith("csi.storage.k8s.io/"));
            csi.controller().createVolume(CreateVolumeRequest.newBuilder().setName("pvc-1").putAllParameters(passed)
                    .addVolumeCapabilities(capability).setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(4 << 20)).build());

            int n = 0;
            for (JsonNode snapshotClass : ofKind(objects, "VolumeSnapshotClass")) {
                Map<String, String> parameters = strings(snapshotClass.path("parameters"));
                CreateSnapshotRequest request = CreateSnapshotRequest.newBuilder().setName("snapshot-" + n++).setSourceVolumeId("pvc-1")
                        .putAllParameters(parameters).build();
                Snapshot taken = csi.controller().createSnapshot(request).getSnapshot();
                for (int i = 0; i < 500 && !taken.getReadyToUse(); i++) {
                    Thread.sleep(20);
                    taken = csi.controller().createSnapshot(request).getSnapshot();
                }
                assertThat(taken.getReadyToUse()).as(name(snapshotClass)).isTrue();
                String expected = parameters.get("type").equals("bak") ? "bak://pvc-1/" : "ss://pvc-1/";
                assertThat(taken.getSnapshotId()).as(name(snapshotClass)).startsWith(expected);
            }
            // the pre-provisioned content's handle is well formed: looking it up is an empty answer, not an error
            for (JsonNode content : ofKind(objects, "VolumeSnapshotContent")) {
                String handle = content.path("spec").path("source").path("snapshotHandle").asText();
                assertThat(csi.controller().listSnapshots(ListSnapshotsRequest.newBuilder().setSnapshotId(handle).build())
                        .getEntriesList()).isEmpty();
            }
        }
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> out = new HashMap<>();
        node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
