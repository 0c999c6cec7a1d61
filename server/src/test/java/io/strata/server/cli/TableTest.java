package io.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void padsColumnsToTheirWidestCellAndLeavesNoTrailingSpace() {
        StringWriter text = new StringWriter();
        new Table("NAME", "SIZE", "LABELS").row("db", "1Gi", "-").row("a-longer-name", "64Mi", "").print(new PrintWriter(text));

        assertThat(text.toString()).isEqualTo("""
                NAME           SIZE  LABELS
                db             1Gi   -
                a-longer-name  64Mi
                """);
    }
}
