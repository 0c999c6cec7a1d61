package io.strata.nbd.interop;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** fio's nbd engine: random I/O at depth, with fio checking every block it wrote. */
class FioTest extends ServedStore {

    @BeforeEach
    void tools() {
        Tools.requireFioNbd();
    }

    @Test
    void randomWritesAtDepthVerify() throws Exception {
        volume("vol1");
        String out = Tools.run("fio", "--name=verify", "--ioengine=nbd", "--uri=" + uri("vol1"), "--rw=randwrite",
                "--bs=4k", "--iodepth=32", "--size=32m", "--verify=crc32c", "--do_verify=1", "--verify_fatal=1", "--verify_state_save=0").ok().stdout();
        assertThat(out).contains("err= 0");
    }

    @Test
    void mixedSizesOverTwoConnectionsVerify() throws Exception {
        volume("vol1");
        String out = Tools.run("fio", "--name=mixed", "--ioengine=nbd", "--uri=" + uri("vol1"), "--rw=randwrite",
                "--bsrange=512-1m", "--iodepth=16", "--size=16m", "--numjobs=2", "--offset_increment=24m",
                "--verify=md5", "--do_verify=1", "--verify_fatal=1", "--verify_state_save=0").ok().stdout();
        assertThat(out).contains("err= 0").doesNotContain("verify: bad");
    }

    @Test
    void sequentialWriteThenReadVerifyOverTcp() throws Exception {
        volume("vol1");
        String out = Tools.run("fio", "--name=seq", "--ioengine=nbd", "--uri=" + tcpUri("vol1"), "--rw=write",
                "--bs=1m", "--iodepth=8", "--size=64m", "--verify=crc32c", "--do_verify=1", "--verify_fatal=1", "--verify_state_save=0").ok().stdout();
        assertThat(out).contains("err= 0");
    }
}
