package io.strata.server.api;

import static io.strata.server.api.ApiHarness.MiB;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.domain.VolumeName;
import io.strata.nbd.NbdConfig;
import io.strata.server.NbdLimits;
import io.strata.server.ServerConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /metrics} parsed as Prometheus does: names, types, and values that follow what the server did. */
class MetricsTest {
    @TempDir
    Path tmp;
    ApiHarness api;

    @BeforeEach
    void start() throws Exception {
        api = ApiHarness.start(tmp);
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
    }

    private PrometheusText scrape() {
        ApiHarness.Answer answer = api.get("/metrics");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("Content-Type")).startsWith("text/plain").contains("version=0.0.4");
        return PrometheusText.parse(answer.text());
    }

    /** A scrape once {@code sample} reads {@code value}: a job's end reaches the metrics a moment after its record. */
    private PrometheusText scrapeOnce(String sample, double value) throws InterruptedException {
        PrometheusText metrics = scrape();
        for (int i = 0; i < 250 && !Double.valueOf(value).equals(metrics.samples.get(sample)); i++) {
            Thread.sleep(20);
            metrics = scrape();
        }
        return metrics;
    }

    @Test
    void everyNameIsStrataAndTheFamiliesAreThere() {
        PrometheusText metrics = scrape();
        assertThat(metrics.names()).allMatch(n -> n.startsWith("strata_"));
        assertThat(metrics.types).containsEntry("strata_volumes", "gauge").containsEntry("strata_backups", "gauge")
                .containsEntry("strata_jobs", "gauge").containsEntry("strata_backup_read_bytes_total", "counter")
                .containsEntry("strata_backup_duration_seconds", "histogram").containsEntry("strata_restore_duration_seconds", "histogram")
                .containsEntry("strata_jobs_ended_total", "counter")
                .containsEntry("strata_nbd_requests_total", "counter").containsEntry("strata_nbd_connections", "gauge")
                .containsEntry("strata_nbd_connections_refused_total", "counter");
        for (String reason : List.of("per-client", "total", "handshake-timeout")) {
            assertThat(metrics.value("strata_nbd_connections_refused_total{reason=\"" + reason + "\"}")).as(reason).isZero();
        }
        assertThat(metrics.value("strata_backup_duration_seconds_count{outcome=\"error\"}")).isZero();
        assertThat(metrics.value("strata_jobs_ended_total{kind=\"restore\",state=\"complete\"}")).isZero();
        assertThat(metrics.value("strata_volumes")).isZero();
        assertThat(metrics.value("strata_backup_target_up")).isEqualTo(1);
        assertThat(metrics.value("strata_backups{state=\"complete\"}")).isZero();
        assertThat(metrics.value("strata_jobs{kind=\"backup\",state=\"running\"}")).isZero();
        assertThat(metrics.value("strata_nbd_requests_total{command=\"write\"}")).isZero();
        assertThat(metrics.value("strata_nbd_written_bytes_total")).isZero();
    }

    @Test
    void valuesMoveAfterABackupAndARestore() throws Exception {
        api.post("/api/v1/volumes", Map.of("name", "db", "sizeBytes", 8 * MiB)).expect(201);
        byte[] data = new byte[(int) (2 * MiB)];
        new Random(1).nextBytes(data);
        api.server.store().open(VolumeName.of("db")).writeAt(ByteBuffer.wrap(data), 0);
        api.post("/api/v1/volumes/db/snapshots", Map.of("name", "kept")).expect(201);
        PrometheusText before = scrape();
        assertThat(before.value("strata_volumes")).isEqualTo(1);
        assertThat(before.value("strata_volumes_provisioned_bytes")).isEqualTo(8 * MiB);
        assertThat(before.value("strata_volumes_allocated_bytes")).isGreaterThanOrEqualTo(2 * MiB);
        assertThat(before.value("strata_snapshots")).isEqualTo(1);
        assertThat(before.value("strata_backup_read_bytes_total")).isZero();

        api.awaitJob(api.post("/api/v1/volumes/db/backups", Map.of("name", "b1")).header("Location"));
        PrometheusText after = scrapeOnce("strata_jobs_ended_total{kind=\"backup\",state=\"complete\"}", 1);
        assertThat(after.value("strata_backups{state=\"complete\"}")).as("counted again once the job ended").isEqualTo(1);
        assertThat(after.value("strata_jobs{kind=\"backup\",state=\"complete\"}")).isEqualTo(1);
        assertThat(after.value("strata_jobs_ended_total{kind=\"backup\",state=\"complete\"}")).isEqualTo(1);
        assertThat(after.value("strata_backup_read_bytes_total")).isEqualTo(2 * MiB);
        assertThat(after.value("strata_backup_uploaded_bytes_total")).isPositive();
        assertThat(after.value("strata_backup_duration_seconds_count{outcome=\"complete\"}")).isEqualTo(1);
        assertThat(after.value("strata_backup_duration_seconds_bucket{le=\"+Inf\",outcome=\"complete\"}")).isEqualTo(1);
        assertThat(after.value("strata_snapshots")).as("the backup's own snapshot is not counted").isEqualTo(1);

        api.awaitJob(api.post("/api/v1/backup-volumes/db/backups/b1/restore", Map.of("volume", "copy")).header("Location"));
        PrometheusText restored = scrapeOnce("strata_jobs_ended_total{kind=\"restore\",state=\"complete\"}", 1);
        assertThat(restored.value("strata_restore_bytes_total")).isEqualTo(2 * MiB);
        assertThat(restored.value("strata_restore_duration_seconds_count{outcome=\"complete\"}")).isEqualTo(1);
        assertThat(restored.value("strata_volumes")).isEqualTo(2);
        assertThat(restored.value("strata_jobs{kind=\"restore\",state=\"complete\"}")).isEqualTo(1);
    }

    @Test
    void anUnreachableTargetIsReportedDownNotAFailedScrape() throws Exception {
        api.put("/api/v1/backup-target", Map.of("url", "file://" + tmp.resolve("target"), "create", true)).expect(200);
        java.nio.file.Files.delete(tmp.resolve("target"));
        java.nio.file.Files.writeString(tmp.resolve("target"), "a file where the target's directory was");
        PrometheusText metrics = scrape();
        assertThat(metrics.value("strata_backup_target_up")).isZero();
        assertThat(metrics.samples.keySet()).noneMatch(k -> k.startsWith("strata_backups{"));
    }

    /**
     * Real TCP connections to a server whose limits come from its configuration (as from the flags):
     * one per client, two in all, a few seconds to choose an export. Each refusal is counted under
     * the limit that caused it.
     */
    @Test
    void refusedNbdConnectionsAreCountedByTheLimitThatRefusedThem() throws Exception {
        api.close();
        ServerConfig base = ApiHarness.config(tmp);
        ServerConfig limited = new ServerConfig(base.dataDir(), base.backupTarget(), base.csiEndpoint(), base.driverName(), base.nodeId(),
                base.nbdSocket(), Optional.of(NbdConfig.loopback(0)), base.environment(), base.http())
                .withNbdLimits(new NbdLimits(2, 1, Duration.ofSeconds(3)));
        api = ApiHarness.start(limited);
        InetSocketAddress nbd = api.server.nbd().tcpAddress().orElseThrow();
        try (Socket first = connect(nbd, "127.0.0.2"); Socket second = connect(nbd, "127.0.0.2");
             Socket other = connect(nbd, "127.0.0.3"); Socket third = connect(nbd, "127.0.0.4")) {
            assertThat(greeted(first)).isTrue();
            assertThat(greeted(second)).as("a second connection of one client").isFalse();
            assertThat(greeted(other)).isTrue();
            assertThat(greeted(third)).as("a third connection in all").isFalse();
            PrometheusText refused = scrape();
            assertThat(refused.value("strata_nbd_connections_refused_total{reason=\"per-client\"}")).isEqualTo(1);
            assertThat(refused.value("strata_nbd_connections_refused_total{reason=\"total\"}")).isEqualTo(1);
            assertThat(refused.value("strata_nbd_connections_refused_total{reason=\"handshake-timeout\"}")).isZero();
            // neither chooses an export: both are cut when the handshake timeout passes
            assertThat(closedByServer(first)).isTrue();
            assertThat(closedByServer(other)).isTrue();
        }
        PrometheusText timedOut = scrape();
        assertThat(timedOut.value("strata_nbd_connections_refused_total{reason=\"handshake-timeout\"}")).isEqualTo(2);
        assertThat(timedOut.value("strata_nbd_connections_accepted_total")).as("only admitted connections are accepted ones").isEqualTo(2);
    }

    private static Socket connect(InetSocketAddress server, String from) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        socket.connect(server, 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Whether the server sent its 18-byte greeting, rather than closing the connection unserved. */
    private static boolean greeted(Socket socket) throws IOException {
        try {
            return socket.getInputStream().readNBytes(18).length == 18;
        } catch (SocketException reset) {
            return false;
        }
    }

    /** Whether the server closes the connection within the socket's timeout. */
    private static boolean closedByServer(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }
}
