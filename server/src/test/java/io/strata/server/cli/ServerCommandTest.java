package io.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.ServerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
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
    void aBadNbdTcpAddressIsABadCommandLine() {
        Cli.Result result = Cli.run(Map.of(StrataCli.DATA_DIR_ENV, "/nonexistent/strata"), "server", "--nbd-tcp", "nowhere:port");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("NBD TCP address").contains("PORT");
    }
}
