package io.strata.server.cli;

import static io.strata.server.cli.CliVolumeTest.imageWithHoles;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata backup} end to end on a directory target: create, ls, inspect, verify, restore, rm, rm-volume. */
class CliBackupTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MiB = 1 << 20;

    @TempDir
    Path tmp;

    private Map<String, String> env;
    private Path backups;
    private byte[] first;

    private Cli.Result run(String... args) {
        return Cli.run(env, args);
    }

    private String ok(String... args) {
        return run(args).ok();
    }

    @BeforeEach
    void setUp() throws IOException {
        backups = Files.createDirectories(tmp.resolve("backups"));
        env = Map.of(StrataCli.DATA_DIR_ENV, tmp.resolve("data").toString(), Services.LOCK_SETTLE_ENV, "0",
                RootCommand.BACKUP_TARGET_ENV, "file://" + backups);
        ok("volume", "create", "db", "--size", "12Mi");
        first = imageWithHoles(12 * MiB, 31);
        ok("volume", "import", "db", Files.write(tmp.resolve("first.img"), first).toString());
    }

    private byte[] export(String volume) throws IOException {
        Path out = tmp.resolve(volume + ".img");
        ok("volume", "export", volume, out.toString());
        return Files.readAllBytes(out);
    }

    private JsonNode json(String... args) throws IOException {
        return JSON.readTree(ok(args));
    }

    @Test
    void aTargetDirectoryThatIsNotThereIsRefusedUnlessCreateIsGiven() throws IOException {
        Path mountPoint = tmp.resolve("nfs-not-mounted");
        String target = "file://" + mountPoint;
        for (String[] args : List.of(new String[] {"backup", "create", "db", "--target", target},
                new String[] {"backup", "ls", "--target", target})) {
            Cli.Result refused = run(args);
            assertThat(refused.exitCode()).as(refused.err()).isEqualTo(ExitCode.FAILED_PRECONDITION.status);
            assertThat(refused.err()).contains("does not exist").contains("--create");
            assertThat(mountPoint).as("nothing written to the local disk").doesNotExist();
        }
        Files.writeString(tmp.resolve("a-file"), "x");
        Cli.Result notADirectory = run("backup", "create", "db", "--target", "file://" + tmp.resolve("a-file"), "--create");
        assertThat(notADirectory.exitCode()).isEqualTo(ExitCode.FAILED_PRECONDITION.status);
        assertThat(notADirectory.err()).contains("is not a directory");

        ok("backup", "create", "db", "--target", target, "--create");
        assertThat(Files.getPosixFilePermissions(mountPoint)).isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        assertThat(ok("backup", "ls", "--target", target)).contains("db ");
    }

    @Test
    void backUpListInspectVerifyRestoreAndDelete() throws IOException {
        ok("snapshot", "create", "db", "s1");
        String created = ok("backup", "create", "db@s1", "--label", "app=pg");
        List<String> lines = created.lines().toList();
        assertThat(lines.get(0)).matches("backed up db@s1 as (backup-[0-9a-f]{16}) \\(full: \\d+ new, 0 reused blocks, .* uploaded\\)");
        String name = lines.get(0).replaceAll(".* as (backup-[0-9a-f]{16}) .*", "$1");
        assertThat(lines.get(1)).as("Longhorn's spelling, which it accepts")
                .isEqualTo("url:    vfs://" + backups + "?backup=" + name + "&volume=db");
        assertThat(lines.get(2)).isEqualTo("handle: bak://db/" + name);
        assertThat(backups.resolve("backupstore/volumes")).isDirectory();

        // without @SNAPSHOT a snapshot is taken first, and the second backup is incremental
        byte[] second = first.clone();
        Arrays.fill(second, 5 * MiB, 5 * MiB + 4096, (byte) 9);
        ok("volume", "import", "db", Files.write(tmp.resolve("patch.img"), Arrays.copyOfRange(second, 5 * MiB, 5 * MiB + 4096)).toString(),
                "--offset", Integer.toString(5 * MiB));
        JsonNode made = json("backup", "create", "db", "--json");
        assertThat(made.get("incremental").asBoolean()).isTrue();
        assertThat(made.get("blocksNew").asLong()).isEqualTo(1);
        assertThat(made.get("bytesRead").asLong()).as("only the changed 2 MiB block is read").isEqualTo(2 * MiB);
        String secondName = made.get("name").asText();
        assertThat(made.get("snapshot").asText()).isEqualTo(secondName);
        // the snapshot cut for the backup is the backup's, not one of the volume's own: listed and counted nowhere but as the backup
        assertThat(ok("snapshot", "ls", "db")).contains("s1").doesNotContain(secondName);
        assertThat(json("snapshot", "ls", "db", "--json")).hasSize(1);
        assertThat(json("volume", "ls", "--json").get(0).get("snapshots").asInt()).isEqualTo(1);
        assertThat(json("volume", "info", "db", "--json").get("snapshots").asInt()).isEqualTo(1);

        assertThat(ok("backup", "ls").lines().toList()).hasSize(2).last().asString().startsWith("db  ").contains(secondName);
        JsonNode both = json("backup", "ls", "db", "--json");
        assertThat(both).hasSize(2);
        List<JsonNode> listed = new java.util.ArrayList<>();
        both.forEach(listed::add);
        listed.sort(java.util.Comparator.comparing(n -> !n.get("name").asText().equals(name))); // the two may share a second
        assertThat(listed.get(0).get("name").asText()).isEqualTo(name);
        assertThat(listed.get(0).get("state").asText()).isEqualTo("complete");
        assertThat(listed.get(0).get("labels").get("app").asText()).isEqualTo("pg");
        assertThat(listed.get(0).get("volumeSizeBytes").asLong()).isEqualTo(12 * MiB);
        assertThat(listed.get(1).get("incremental").asBoolean()).isTrue();

        String url = listed.get(0).get("url").asText();
        assertThat(url).startsWith("vfs://");
        assertThat(ok("backup", "inspect", url)).contains("snapshot          s1").contains("handle            bak://db/" + name);
        assertThat(ok("backup", "inspect", url.replace("vfs://", "file://"))).as("either spelling").contains("bak://db/" + name)
                .contains("url               " + url + "\n");
        assertThat(json("backup", "inspect", "bak://db/" + name, "--json").get("url").asText()).isEqualTo(url);
        assertThat(ok("backup", "verify", url)).matches("backup " + name + " is whole: \\d+ blocks verified\n");

        ok("backup", "restore", url, "db-first");
        ok("backup", "restore", "bak://db/" + secondName, "db-second", "--size", "16Mi");
        assertThat(export("db-first")).isEqualTo(first);
        byte[] restored = export("db-second");
        assertThat(restored).hasSize(16 * MiB);
        assertThat(Arrays.copyOf(restored, 12 * MiB)).isEqualTo(second);

        assertThat(ok("backup", "rm", url)).startsWith("deleted backup " + name);
        assertThat(json("backup", "ls", "db", "--json")).hasSize(1);
        assertThat(ok("backup", "verify", "bak://db/" + secondName)).contains("is whole");
        ok("backup", "rm-volume", "db");
        assertThat(ok("backup", "ls")).startsWith("no backups in file://" + backups);
        try (Stream<Path> left = Files.walk(backups)) {
            assertThat(left.filter(Files::isRegularFile)).isEmpty();
        }
    }

    private Path cfgOf(String backup) throws IOException {
        try (Stream<Path> all = Files.walk(backups)) {
            return all.filter(p -> p.getFileName().toString().equals("backup_" + backup + ".cfg")).findFirst().orElseThrow();
        }
    }

    @Test
    void labelsFromTheStoreCannotDriveTheTerminal() throws IOException {
        ok("snapshot", "create", "db", "s1");
        String name = json("backup", "create", "db@s1", "--label", "app=pg", "--json").get("name").asText();
        Path cfg = cfgOf(name);
        // someone with write access to the target plants escape sequences: clear screen, a forged line, right-to-left
        Files.writeString(cfg, Files.readString(cfg).replace("\"app\":\"pg\"",
                "\"app\":\"\\u001b[2J\\u001b[1;1Hpg\\nforged\\u202e\""));
        String listed = ok("backup", "ls", "db");
        assertThat(listed).doesNotContain("\u001b", "\u202e").contains("\\x1b[2J\\x1b[1;1Hpg\\x0aforged\\u{202e}");
        assertThat(listed.lines()).as("no forged line").hasSize(2);
        assertThat(ok("backup", "inspect", "bak://db/" + name)).doesNotContain("\u001b").contains("\\x1b[2J");
    }

    @Test
    void aBackupIsWhereItsCfgLiesNotWhatItsCfgSays() throws IOException {
        ok("snapshot", "create", "db", "s1");
        String name = json("backup", "create", "db@s1", "--json").get("name").asText();
        String copy = "backup-00000000000000ff";
        Files.copy(cfgOf(name), cfgOf(name).resolveSibling("backup_" + copy + ".cfg"));

        Cli.Result inspected = run("backup", "inspect", "bak://db/" + copy);
        assertThat(inspected.exitCode()).isNotZero();
        assertThat(inspected.err()).contains("backup_" + copy + ".cfg", "Name is not '" + copy + "'");
        Cli.Result restored = run("backup", "restore", "bak://db/" + copy, "db-copy");
        assertThat(restored.exitCode()).isNotZero();
        assertThat(restored.err()).contains("Name is not '" + copy + "'");
        JsonNode listed = json("backup", "ls", "db", "--json");
        List<String> entries = new java.util.ArrayList<>();
        listed.forEach(b -> entries.add(b.get("name").asText() + "=" + b.get("state").asText()));
        assertThat(entries).as("the copy is listed under its file's name, as broken; the original once")
                .containsExactlyInAnyOrder(name + "=complete", copy + "=broken");
        Files.delete(cfgOf(copy));
        assertThat(ok("backup", "verify", "bak://db/" + name)).contains("is whole");
    }

    @Test
    void aNewVolumeNeedsANameItsBackupsCanBeStoredUnder() {
        Cli.Result made = run("volume", "create", "a", "--size", "4Mi");
        assertThat(made.exitCode()).isNotZero();
        assertThat(made.err()).contains("at least 2");
        ok("volume", "create", "ab", "--size", "4Mi");
        assertThat(ok("backup", "create", "ab")).startsWith("backed up ab@");
    }

    @Test
    void errorsSayWhatIsWrongWithTheirOwnExitCodes() throws IOException {
        ok("snapshot", "create", "db", "s1");
        String name = json("backup", "create", "db@s1", "--json").get("name").asText();

        Cli.Result missing = run("backup", "inspect", "bak://db/backup-0000000000000000");
        assertThat(missing.exitCode()).isEqualTo(ExitCode.NOT_FOUND.status);
        assertThat(missing.err()).startsWith("strata: backup 'backup-0000000000000000' of volume 'db' does not exist in file://");

        Cli.Result malformed = run("backup", "restore", "bak://db", "x");
        assertThat(malformed.exitCode()).isEqualTo(ExitCode.USAGE.status);
        assertThat(malformed.err()).contains("invalid snapshot handle 'bak://db'");

        Cli.Result noSnapshot = run("backup", "create", "db@nope");
        assertThat(noSnapshot.exitCode()).isEqualTo(ExitCode.NOT_FOUND.status);

        Cli.Result badTarget = run("backup", "ls", "--target", "ftp://host/x");
        assertThat(badTarget.exitCode()).isEqualTo(ExitCode.USAGE.status);
        assertThat(badTarget.err()).contains("is not one of file, vfs, nfs, s3");

        Cli.Result tooSmall = run("backup", "restore", "bak://db/" + name, "small", "--size", "4Mi");
        assertThat(tooSmall.exitCode()).isEqualTo(ExitCode.FAILED_PRECONDITION.status);
        assertThat(tooSmall.err()).contains("needs at least that size");
        assertThat(ok("volume", "ls")).doesNotContain("small");

        Cli.Result exists = run("backup", "restore", "bak://db/" + name, "db");
        assertThat(exists.exitCode()).isEqualTo(ExitCode.ALREADY_EXISTS.status);

        // a damaged block: verify names it and fails, restore fails and leaves no volume behind
        try (Stream<Path> blocks = Files.walk(backups)) {
            Path block = blocks.filter(p -> p.toString().endsWith(".blk")).findFirst().orElseThrow();
            byte[] data = Files.readAllBytes(block);
            data[data.length / 2] ^= 0x55;
            Files.write(block, data);
        }
        Cli.Result verify = run("backup", "verify", "bak://db/" + name);
        assertThat(verify.exitCode()).isEqualTo(ExitCode.CORRUPT.status);
        assertThat(verify.out()).startsWith("block ");
        assertThat(verify.err()).startsWith("strata: backup " + name + " has 1 problem");
        Cli.Result restore = run("backup", "restore", "bak://db/" + name, "broken");
        assertThat(restore.exitCode()).isEqualTo(ExitCode.CORRUPT.status);
        assertThat(restore.err()).contains("block ").contains("of backup '" + name + "'");
        assertThat(ok("volume", "ls")).doesNotContain("broken");
    }

    @Test
    void blockSizeChoosesTheBlocksOfANewBackupVolumeOnly() throws IOException {
        JsonNode made = json("backup", "create", "db", "--block-size", "16Mi", "--json");
        assertThat(json("backup", "inspect", made.get("handle").asText(), "--json").get("blockSize").asLong()).isEqualTo(16 * MiB);
        JsonNode next = json("backup", "create", "db", "--json");
        assertThat(json("backup", "inspect", next.get("handle").asText(), "--json").get("blockSize").asLong())
                .as("the backup volume's own").isEqualTo(16 * MiB);

        Cli.Result other = run("backup", "create", "db", "--block-size", "2Mi");
        assertThat(other.exitCode()).isEqualTo(ExitCode.FAILED_PRECONDITION.status);
        assertThat(other.err()).contains("block size cannot change");
        Cli.Result invalid = run("backup", "create", "db", "--block-size", "4Mi");
        assertThat(invalid.exitCode()).isEqualTo(ExitCode.USAGE.status);
        assertThat(invalid.err()).contains("2Mi (the default) or 16Mi");
    }

    @Test
    void aLockLeftByAKilledCommandIsRemovedByTheNextCommandThatOpensTheTarget() throws Exception {
        ok("snapshot", "create", "db", "s1");
        ok("backup", "create", "db@s1");
        Path notes = tmp.resolve("data").resolve(io.strata.server.ServerConfig.LOCK_JOURNAL_DIRECTORY);
        assertThat(notes).as("the backup noted its lock while it held it").isDirectory();
        try (Stream<Path> left = Files.list(notes)) {
            assertThat(left).as("and dropped the note on release").isEmpty();
        }

        // what a `strata backup create` killed with -9 leaves: its lock file, and its note naming a process now gone
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String key = io.strata.backupstore.format.StoreLayout.lock("db", "lock-00000000000000ab");
        Path lockFile = backups.resolve(key);
        Files.createDirectories(lockFile.getParent());
        Files.writeString(lockFile, "{\"Name\":\"lock-00000000000000ab\",\"Type\":1,\"Acquired\":true}");
        Files.writeString(notes.resolve("lock-00000000000000ab.lock-note"),
                gone.pid() + " 1\n" + "file://" + backups + "\n" + key + "\n");

        ok("backup", "ls", "db");
        assertThat(lockFile).as("removed by the next command on this node").doesNotExist();
        try (Stream<Path> left = Files.list(notes)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
    void aBlockThatLinksToDevZeroOrIsAFifoFailsTheRestoreAtOnceAndLeavesNoVolume() throws Exception {
        ok("snapshot", "create", "db", "s1");
        String name = json("backup", "create", "db@s1", "--json").get("name").asText();
        Path block;
        try (Stream<Path> blocks = Files.walk(backups)) {
            block = blocks.filter(p -> p.toString().endsWith(".blk")).findFirst().orElseThrow();
        }
        Files.delete(block);
        Files.createSymbolicLink(block, Path.of("/dev/zero"));
        Cli.Result zero = run("backup", "restore", "bak://db/" + name, "zero");
        assertThat(zero.exitCode()).isEqualTo(ExitCode.CORRUPT.status);
        assertThat(zero.err()).contains("symbolic link").contains(block.getFileName().toString().replace(".blk", ""));
        assertThat(ok("volume", "ls")).doesNotContain("zero");

        Files.delete(block);
        org.assertj.core.api.Assumptions.assumeThat(new ProcessBuilder("mkfifo", block.toString()).start().waitFor()).isZero();
        Cli.Result fifo = run("backup", "restore", "bak://db/" + name, "fifo");
        assertThat(fifo.exitCode()).isEqualTo(ExitCode.CORRUPT.status);
        assertThat(fifo.err()).contains("not a regular file");
        assertThat(ok("volume", "ls")).doesNotContain("fifo");
        Cli.Result verify = run("backup", "verify", "bak://db/" + name);
        assertThat(verify.exitCode()).isEqualTo(ExitCode.CORRUPT.status);
        assertThat(verify.out()).contains("not a regular file");
    }

    @Test
    void aBackupWhoseCfgCannotBeReadIsListedBrokenWithWhy() throws IOException {
        ok("snapshot", "create", "db", "s1");
        ok("snapshot", "create", "db", "s2");
        String good = json("backup", "create", "db@s1", "--json").get("name").asText();
        String bad = json("backup", "create", "db@s2", "--json").get("name").asText();
        Path cfg;
        try (Stream<Path> files = Files.walk(backups)) {
            cfg = files.filter(p -> p.getFileName().toString().equals("backup_" + bad + ".cfg")).findFirst().orElseThrow();
        }
        Files.writeString(cfg, "root:x:0:0:SECRET\u001b[31m\n");

        String listed = ok("backup", "ls", "db");
        assertThat(listed).contains(good).contains(bad).contains("broken").contains("broken: " + bad + ": ")
                .contains("backup_" + bad + ".cfg").doesNotContain("SECRET").doesNotContain("\u001b");
        JsonNode asJson = json("backup", "ls", "db", "--json");
        List<String> states = new java.util.ArrayList<>();
        asJson.forEach(b -> states.add(b.get("name").asText() + "=" + b.get("state").asText()));
        assertThat(states).containsExactlyInAnyOrder(good + "=complete", bad + "=broken");
        assertThat(ok("backup", "ls")).startsWith("VOLUME").contains("db");
        ok("backup", "rm", "bak://db/" + bad);
        assertThat(ok("backup", "ls", "db")).doesNotContain("broken");
    }
}
