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

    @Test
    void controlAndFormatCharactersAreShownAsEscapesNeverSentToTheTerminal() {
        StringWriter text = new StringWriter();
        new Table("LABELS").row("k=\u001b[31mred\u0007\r\nforged\u0085\u202egnp.exe\u200b").print(new PrintWriter(text));

        assertThat(text.toString()).isEqualTo("LABELS\nk=\\x1b[31mred\\x07\\x0d\\x0aforged\\x85\\u{202e}gnp.exe\\u{200b}\n");
        assertThat(Table.printable("plain ünïcödé 名前")).isEqualTo("plain ünïcödé 名前");
    }
}
