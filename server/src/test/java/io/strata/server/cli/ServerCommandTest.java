package io.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.ServerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import io.strata.server.NbdLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code strata server}'s configuration: a flag, else an environment variable, else the embedded default. */
class ServerCommandTest {

    private static ServerConfig config(Map<String, String> env, String... args) {
        CommandLine.ParseResult parsed = StrataCli.create(env).parseArgs(args);
        return ((ServerCommand) parsed.subcommand().commandSpec().userObject()).config();
    }

    @Test
    void nbdListensInTheDataDirectoryAndOnTcpOnlyWhenAsked() {
        ServerConfig defaults = config(Map.of(), "server", "--data-dir", "/srv/strata");
        assertThat(defaults.nbdSocket()).isEqualTo(Path.of("/srv/strata/nbd.sock"));
        assertThat(defaults.nbdTcp()).isEmpty();

        ServerConfig fromEnv = config(Map.of("STRATA_NBD_SOCKET", "/run/strata/nbd.sock", "STRATA_NBD_TCP", "10809"),
                "server", "--data-dir", "/srv/strata");
        assertThat(fromEnv.nbdSocket()).isEqualTo(Path.of("/run/strata/nbd.sock"));
        assertThat(fromEnv.nbdTcp()).contains(new InetSocketAddress(InetAddress.getLoopbackAddress(), 10809));

        ServerConfig flags = config(Map.of("STRATA_NBD_SOCKET", "/run/strata/nbd.sock", "STRATA_NBD_TCP", "10809"),
                "server", "--data-dir", "/srv/strata", "--nbd-socket", "/tmp/n.sock", "--nbd-tcp", "127.0.0.1:20000");
        assertThat(flags.nbdSocket()).as("a flag beats the environment").isEqualTo(Path.of("/tmp/n.sock"));
        assertThat(flags.nbdTcp().orElseThrow().getPort()).isEqualTo(20000);
    }

    @Test
    void httpHostsAndTheTokenDirectoryComeFromAFlagElseTheEnvironment() {
        ServerConfig defaults = config(Map.of(), "server", "--data-dir", "/srv/strata");
        assertThat(defaults.httpHosts()).isEmpty();
        assertThat(defaults.apiTokens()).as("the data directory's").isEmpty();

        Map<String, String> env = Map.of("STRATA_HTTP_HOSTS", "strata.strata-system.svc, Strata.Example.com:443",
                "STRATA_API_TOKENS", "/etc/strata/api-tokens");
        ServerConfig fromEnv = config(env, "server", "--data-dir", "/srv/strata");
        assertThat(fromEnv.httpHosts()).containsExactly("strata.strata-system.svc", "strata.example.com");
        assertThat(fromEnv.apiTokens()).contains(Path.of("/etc/strata/api-tokens"));

        ServerConfig flags = config(env, "server", "--data-dir", "/srv/strata", "--http-hosts", "proxy.example", "--api-tokens", "/tmp/t");
        assertThat(flags.httpHosts()).containsExactly("proxy.example");
        assertThat(flags.apiTokens()).contains(Path.of("/tmp/t"));

        Cli.Result bad = Cli.run(Map.of(StrataCli.DATA_DIR_ENV, "/nonexistent/strata"), "server", "--http-hosts", "http://evil/");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("is not a host name").contains("comma-separated");
    }

    @Test
    void nbdLimitsComeFromAFlagElseTheEnvironmentElseTheDefaults() {
        ServerConfig defaults = config(Map.of(), "server", "--data-dir", "/srv/strata");
        assertThat(defaults.nbdLimits()).isEqualTo(new NbdLimits(256, 32, Duration.ofSeconds(10)));

        Map<String, String> env = Map.of("STRATA_NBD_MAX_CONNECTIONS", "512", "STRATA_NBD_MAX_CONNECTIONS_PER_CLIENT", "8",
                "STRATA_NBD_HANDSHAKE_TIMEOUT", "2m");
        assertThat(config(env, "server", "--data-dir", "/srv/strata").nbdLimits())
                .isEqualTo(new NbdLimits(512, 8, Duration.ofMinutes(2)));

        ServerConfig flags = config(env, "server", "--data-dir", "/srv/strata", "--nbd-max-connections", "64",
                "--nbd-max-connections-per-client", "4", "--nbd-handshake-timeout", "500ms");
        assertThat(flags.nbdLimits()).as("a flag beats the environment").isEqualTo(new NbdLimits(64, 4, Duration.ofMillis(500)));

        assertThat(config(Map.of(), "server", "--data-dir", "/srv/strata", "--nbd-max-connections", "16", "--nbd-handshake-timeout",
                "1.5").nbdLimits()).as("fewer in all than the default per client: a client may take them all; bare seconds")
                .isEqualTo(new NbdLimits(16, 16, Duration.ofMillis(1500)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            --nbd-max-connections=many                                    | is not a whole number
            --nbd-max-connections=0                                       | must be at least 1
            --nbd-max-connections-per-client=300                          | from 1 to the max connections (256)
            --nbd-handshake-timeout=soon                                  | is not a duration
            --nbd-handshake-timeout=0s                                    | more than 0
            --nbd-handshake-timeout=2h                                    | at most 1h
            """)
    void badNbdLimitsAreABadCommandLineThatSaysWhatToGive(String flag, String message) {
        Cli.Result result = Cli.run(Map.of(StrataCli.DATA_DIR_ENV, "/nonexistent/strata"), "server", flag);
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains(message).contains(flag.substring(0, flag.indexOf('=')));
    }

    @Test
    void aBadNbdLimitInTheEnvironmentNamesItsVariable() {
        Cli.Result result = Cli.run(Map.of(StrataCli.DATA_DIR_ENV, "/nonexistent/strata", "STRATA_NBD_MAX_CONNECTIONS_PER_CLIENT", "x"),
                "server");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("STRATA_NBD_MAX_CONNECTIONS_PER_CLIENT").contains("is not a whole number");
    }

    /** The README's table of flags is where a user looks: every flag of {@code strata server} has its row, with its variable. */
    @Test
    void everyServerFlagIsInTheReadmesTable() throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.exists(dir.resolve("README.md")) && Files.exists(dir.resolve("mvnw")))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("the project's directory").isNotNull();
        List<String> rows = Files.readAllLines(dir.resolve("README.md")).stream().filter(l -> l.startsWith("| `--")).toList();
        CommandLine server = StrataCli.create(Map.of()).getSubcommands().get("server");
        List<String> missing = new ArrayList<>();
        for (CommandLine.Model.OptionSpec option : server.getCommandSpec().options()) {
            String name = option.longestName();
            if (option.usageHelp() || option.versionHelp()) {
                continue;
            }
            boolean listed = rows.stream().anyMatch(r -> r.startsWith("| `" + name + "`") && r.contains("`STRATA_"));
            if (!listed) {
                missing.add(name);
            }
        }
        assertThat(missing).as("flags of strata server without a row (and variable) in the README's table").isEmpty();
    }

    @Test
    void aBadNbdTcpAddressIsABadCommandLine() {
        Cli.Result result = Cli.run(Map.of(StrataCli.DATA_DIR_ENV, "/nonexistent/strata"), "server", "--nbd-tcp", "nowhere:port");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("NBD TCP address").contains("PORT");
    }
}
