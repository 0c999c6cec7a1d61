package io.strata.nbd.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.Volume;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What nbdinfo, libnbd's inspector, sees of volumes and snapshots. */
class NbdinfoTest extends ServedStore {

    @BeforeEach
    void tools() {
        Tools.require("libnbd-bin", "nbdinfo");
    }

    @Test
    void showsAVolumeWithItsSizeAndFeatures() throws Exception {
        volume("vol1");
        String info = Tools.run("nbdinfo", uri("vol1")).ok().stdout();
        assertThat(info)
                .contains("export-size: " + SIZE)
                .contains("using structured packets")
                .contains("base:allocation")
                .contains("is_read_only: false")
                .contains("can_multi_conn: true")
                .contains("can_flush: true")
                .contains("can_fua: true")
                .contains("can_trim: true")
                .contains("can_zero: true")
                .contains("can_cache: true")
                .contains("block_size_preferred: 4096")
                .contains("block_size_maximum: 33554432")
                .contains("description: Strata volume vol1");
    }

    @Test
    void showsASnapshotAsReadOnly() throws Exception {
        snapshot(volume("vol1"), "snap1");
        String info = Tools.run("nbdinfo", uri("vol1@snap1")).ok().stdout();
        assertThat(info).contains("is_read_only: true").contains("can_trim: false").contains("can_zero: false");
    }

    @Test
    void listsVolumesAndSnapshots() throws Exception {
        snapshot(volume("vol1"), "snap1");
        volume("vol2");
        String list = Tools.run("nbdinfo", "--list", uri("")).ok().stdout();
        assertThat(list).contains("export=\"vol1\"").contains("export=\"vol1@snap1\"").contains("export=\"vol2\"");
    }

    @Test
    void mapReportsHolesAndData() throws Exception {
        Volume volume = volume("vol1");
        fill(volume, 1 << 20, 64 << 10, (byte) 1);
        fill(volume, 8 << 20, 4096, (byte) 2);
        String map = Tools.run("nbdinfo", "--map", uri("vol1")).ok().stdout();
        assertThat(map.lines().map(l -> l.trim().replaceAll("\\s+", " ")))
                .containsExactly(
                        "0 1048576 3 hole,zero",
                        "1048576 65536 0 data",
                        "1114112 7274496 3 hole,zero",
                        "8388608 4096 0 data",
                        "8392704 58716160 3 hole,zero");
    }

    @Test
    void mapOfASnapshotIsTheSnapshotsNotTheHeads() throws Exception {
        Volume volume = volume("vol1");
        fill(volume, 0, 4096, (byte) 1);
        snapshot(volume, "snap1");
        fill(volume, 1 << 20, 4096, (byte) 2);
        String map = Tools.run("nbdinfo", "--map", uri("vol1@snap1")).ok().stdout();
        assertThat(map.lines().map(l -> l.trim().replaceAll("\\s+", " ")))
                .containsExactly("0 4096 0 data", "4096 67104768 3 hole,zero");
    }

    @Test
    void unknownExportsAreRefused() throws Exception {
        volume("vol1");
        for (String name : new String[] {"nope", "vol1@nope", "../etc", "vol1@", "@x"}) {
            Tools.Result result = Tools.run("nbdinfo", uri(name));
            assertThat(result.exit()).as(name).isNotZero();
            assertThat(result.stderr()).as(name).contains("server replied with error to opt_go request: No such file or directory");
        }
    }

    @Test
    void servesOverTcpToo() throws Exception {
        volume("vol1");
        assertThat(Tools.run("nbdinfo", "--size", tcpUri("vol1")).ok().stdout().trim()).isEqualTo(Long.toString(SIZE));
    }
}
