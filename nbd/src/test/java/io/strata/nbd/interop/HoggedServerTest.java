package io.strata.nbd.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.nbd.NbdConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real clients are served while others try to hold every connection the server has: a hog (TCP
 * from 127.0.0.2) opens as many connections as the server takes in all and sits in the handshake,
 * and nbdinfo and qemu-img, over TCP from 127.0.0.1 and over the unix socket, still work; hogs from
 * many addresses take every slot TCP peers may have, and the unix socket still serves the node.
 */
class HoggedServerTest extends ServedStore {
    private static final int TOTAL = 8;
    private static final int PER_CLIENT = 4;
    private final List<SocketChannel> hog = new ArrayList<>();

    @Override
    NbdConfig config(NbdConfig defaults) {
        return defaults.withConnectionLimits(TOTAL, PER_CLIENT);
    }

    @BeforeEach
    void tools() {
        Tools.require("libnbd-bin", "nbdinfo");
        Tools.require("qemu-utils", "qemu-img");
    }

    @AfterEach
    void letGo() throws IOException {
        for (SocketChannel channel : hog) {
            channel.close();
        }
    }

    /** Opens {@code count} connections from 127.0.0.2 that read the greeting and then say nothing. */
    private int hogConnections(int count) throws IOException {
        return hogConnections("127.0.0.2", count);
    }

    /** Opens {@code count} connections from {@code address} that read the greeting and then say nothing. */
    private int hogConnections(String address, int count) throws IOException {
        InetSocketAddress server = this.server.tcpAddress().orElseThrow();
        int greeted = 0;
        for (int i = 0; i < count; i++) {
            SocketChannel channel = SocketChannel.open();
            hog.add(channel);
            channel.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
            channel.connect(server);
            ByteBuffer greeting = ByteBuffer.allocate(18);
            try {
                while (greeting.hasRemaining() && channel.read(greeting) >= 0) {
                    // a refused connection ends before its greeting
                }
            } catch (IOException reset) {
                continue;
            }
            if (!greeting.hasRemaining()) {
                greeted++;
            }
        }
        return greeted;
    }

    @Test
    void realClientsAreServedWhileAnotherHogsTheServer() throws Exception {
        volume("vol1");
        assertThat(hogConnections(TOTAL)).as("the hog gets its share and no more").isEqualTo(PER_CLIENT);
        assertThat(Tools.run("nbdinfo", "--size", tcpUri("vol1")).ok().stdout().trim()).isEqualTo(Long.toString(SIZE));
        assertThat(Tools.run("nbdinfo", "--size", uri("vol1")).ok().stdout().trim()).isEqualTo(Long.toString(SIZE));
        assertThat(Tools.run("qemu-img", "info", "--output=json", tcpUri("vol1")).ok().stdout())
                .contains("\"virtual-size\": " + SIZE);
    }

    @Test
    void theNodesOwnClientsAreServedWhileManyAddressesHogTheRest() throws Exception {
        volume("vol1");
        int held = 0;
        for (int peer = 2; peer <= 1 + TOTAL / PER_CLIENT; peer++) {
            held += hogConnections("127.0.0." + peer, PER_CLIENT);
        }
        assertThat(held).isEqualTo(TOTAL);
        assertThat(hogConnections("127.0.0.30", 1)).as("every slot for others is taken").isZero();
        assertThat(Tools.run("nbdinfo", "--size", uri("vol1")).ok().stdout().trim()).isEqualTo(Long.toString(SIZE));
        assertThat(Tools.run("qemu-img", "info", "--output=json", uri("vol1")).ok().stdout()).contains("\"virtual-size\": " + SIZE);
    }
}
