package io.strata.server.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The README convention itself: what counts as a command, as its output, and as a match. */
class ConsoleBlocksTest {

    @Test
    void commandsAndTheirOutputComeFromConsoleBlocksOnly() {
        String markdown = """
                ```sh
                $ not run
                ```
                text
                ```console
                $ ./strata volume create db --size 1Gi   # a comment
                created volume db (1Gi)
                $ qemu-img compare a \\
                                   b
                Images are identical.
                $ head -c 1M /dev/urandom > x
                ```
                """;
        assertThat(ConsoleBlocks.parse(markdown)).containsExactly(
                new ConsoleBlocks.Step(6, "./strata volume create db --size 1Gi   # a comment", List.of("created volume db (1Gi)")),
                new ConsoleBlocks.Step(8, "qemu-img compare a  b", List.of("Images are identical.")),
                new ConsoleBlocks.Step(11, "head -c 1M /dev/urandom > x", List.of()));
    }

    @Test
    void outputMatchesWithTheEllipsisTimesAndSpacesAndNothingElse() {
        List<String> shown = List.of("NAME  CREATED", "db    2026-11-22T05:00:22Z", "…", "took … s");
        assertThat(ConsoleBlocks.matches(shown, normalized("NAME CREATED", "db 2027-01-01T00:00:00.5Z", "took 3 s"))).isTrue();
        assertThat(ConsoleBlocks.matches(shown, normalized("NAME CREATED", "db 2027-01-01T00:00:00Z", "x", "y", "took 0.1 s")))
                .isTrue();
        assertThat(ConsoleBlocks.matches(shown, normalized("NAME CREATED", "web 2027-01-01T00:00:00Z", "took 3 s"))).isFalse();
        assertThat(ConsoleBlocks.matches(shown, normalized("NAME CREATED", "db 2027-01-01T00:00:00Z"))).isFalse();
        assertThat(ConsoleBlocks.matches(List.of(), normalized("unexpected"))).as("a command shown silent must print nothing")
                .isFalse();
        assertThat(ConsoleBlocks.lineMatches("a (b) [c] …", "a (b) [c] anything")).as("no regex in shown text").isTrue();
        assertThat(ConsoleBlocks.lineMatches("a.c", "abc")).isFalse();
    }

    private static List<String> normalized(String... lines) {
        return List.of(lines).stream().map(ConsoleBlocks::normalize).toList();
    }
}
