package io.strata.csi.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loop devices over the node's attached exports: the block device a filesystem is made on and
 * mounted from. Every loop device runs with direct I/O, so that a block written through it goes
 * straight to the export instead of sitting a second time in the page cache (and the kernel never
 * writes back through a FUSE file under memory pressure); and with a size limit, the volume's size,
 * which {@link #resize} raises after an expansion while the device is in use.
 */
final class LoopDevices {

    private final Os os;

    LoopDevices(Os os) {
        this.os = os;
    }

    /** Binds a free loop device to {@code backing}, {@code size} bytes long, with direct I/O. */
    Path attach(Path backing, long size, boolean readOnly) throws IOException {
        List<String> argv = new ArrayList<>(List.of("losetup", "--find", "--show", "--direct-io=on", "--sizelimit",
                Long.toString(size)));
        if (readOnly) {
            argv.add("--read-only");
        }
        argv.add(backing.toString());
        Path device = Path.of(os.run(Command.of(argv)).stdout().strip());
        try {
            // losetup only warns when the backing file refuses O_DIRECT: without it the device must not be used
            if (!"1".equals(sysfs(device, "loop/dio"))) {
                throw new IOException(device + " over " + backing + " runs without direct I/O, which the node requires: the"
                        + " export's file does not take O_DIRECT");
            }
            long actual = size(device);
            if (actual != size) {
                throw new IOException(device + " is " + actual + " bytes, not the volume's " + size);
            }
        } catch (IOException | RuntimeException e) {
            try {
                detach(device);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return device;
    }

    /** Detaches {@code device}; one already detached is fine. A device still in use is detached once its last user closes it. */
    void detach(Path device) throws IOException {
        if (!bound(device)) {
            return;
        }
        os.run(Command.of("losetup", "--detach", device.toString()));
    }

    /** Whether {@code device} is bound to a file. */
    boolean bound(Path device) {
        // the kernel adds the loop attributes when it binds a device and removes them when it lets go
        return Files.exists(Path.of("/sys/block", device.getFileName().toString(), "loop", "backing_file"));
    }

    /** The loop devices bound to {@code backing}, found from the kernel's list whatever anyone wrote down. */
    List<Path> backedBy(Path backing) throws IOException {
        String listed = os.run(Command.of("losetup", "--list", "--noheadings", "--raw", "--output", "NAME,BACK-FILE")).stdout();
        List<Path> devices = new ArrayList<>();
        for (String line : listed.lines().toList()) {
            int space = line.indexOf(' ');
            if (space < 0) {
                continue;
            }
            String file = unescapeRaw(line.substring(space + 1).strip());
            if (file.equals(backing.toString()) || file.equals(backing + " (deleted)")) {
                devices.add(Path.of(line.substring(0, space)));
            }
        }
        return devices;
    }

    /** Raises (or sets) the device's size limit, while it is in use, and checks the kernel took it. */
    void resize(Path device, long size) throws IOException {
        Native.setLoopSizeLimit(device, size);
        long actual = size(device);
        if (actual != size) {
            throw new IOException("the size limit of " + device + " was set to " + size + " bytes, but it is " + actual);
        }
    }

    /** The device's size in bytes, as the kernel reports it. */
    long size(Path device) throws IOException {
        return Long.parseLong(sysfs(device, "size")) * 512;
    }

    /** The device's {@code major:minor}, as mountinfo names it. */
    String majorMinor(Path device) throws IOException {
        return sysfs(device, "dev");
    }

    private static String sysfs(Path device, String attribute) throws IOException {
        return Files.readString(Path.of("/sys/block", device.getFileName().toString(), attribute)).strip();
    }

    /** {@code losetup --raw} writes unsafe bytes as {@code \xHH}. */
    private static String unescapeRaw(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            if (text.startsWith("\\x", i) && i + 4 <= text.length()) {
                out.append((char) Integer.parseInt(text.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                out.append(text.charAt(i));
            }
        }
        return out.toString();
    }
}
