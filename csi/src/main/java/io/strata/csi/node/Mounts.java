package io.strata.csi.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What is mounted where, from {@code /proc/self/mountinfo}: the kernel's own account, which no
 * crash can leave stale, unlike anything a process writes down.
 */
final class Mounts {

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    /**
     * One mount.
     *
     * @param device {@code major:minor} of the file system's device (a bind mount of a device node
     *               shows the file system the node lives on, and its root is the node's path)
     * @param root   the path inside the file system that is mounted
     */
    record Mount(Path mountPoint, String device, String root, String fsType, String source, List<String> options) {
        boolean readOnly() {
            return options.contains("ro");
        }
    }

    private Mounts() {}

    static List<Mount> all() throws IOException {
        List<Mount> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(MOUNTINFO)) {
            parse(line).ifPresent(mounts::add);
        }
        return mounts;
    }

    /** The mount on top at {@code path}, if {@code path} is a mount point. */
    static Optional<Mount> at(Path path) throws IOException {
        Mount top = null;
        for (Mount mount : all()) {
            if (mount.mountPoint().equals(path)) {
                top = mount; // later lines are mounted over earlier ones
            }
        }
        return Optional.ofNullable(top);
    }

    /** Every mount of the file system on {@code device} ({@code major:minor}). */
    static List<Mount> ofDevice(String device) throws IOException {
        return all().stream().filter(m -> m.device().equals(device)).toList();
    }

    /** Every mount at or below {@code dir}. */
    static List<Mount> under(Path dir) throws IOException {
        return all().stream().filter(m -> m.mountPoint().startsWith(dir)).toList();
    }

    /**
     * {@code 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue}: the
     * optional fields end at the lone {@code -}.
     */
    static Optional<Mount> parse(String line) {
        String[] f = line.split(" ");
        int dash = -1;
        for (int i = 6; i < f.length; i++) {
            if (f[i].equals("-")) {
                dash = i;
                break;
            }
        }
        if (f.length < 7 || dash < 0 || dash + 2 >= f.length) {
            return Optional.empty();
        }
        return Optional.of(new Mount(Path.of(unescape(f[4])), f[2], unescape(f[3]), f[dash + 1], unescape(f[dash + 2]),
                List.of(f[5].split(","))));
    }

    /** The kernel writes space, tab, newline and backslash in paths as {@code \040}, {@code \011}, {@code \012}, {@code \134}. */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
