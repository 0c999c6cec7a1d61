package io.strata.server.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table: a header row and columns padded to their widest cell, two spaces apart.
 *
 * <p>Cells may come from a backup target someone else writes (labels, names in cfgs): a control
 * character in one could move the cursor, recolour or clear the terminal, or forge lines. Every
 * cell is therefore printed through {@link #printable}, which shows such characters as escapes.
 */
final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    Table(String... headers) {
        columns = headers.length;
        rows.add(headers);
    }

    Table row(Object... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException("expected " + columns + " cells, got " + cells.length);
        }
        rows.add(Arrays.stream(cells).map(c -> printable(String.valueOf(c))).toArray(String[]::new));
        return this;
    }

    /**
     * {@code text} safe for a terminal: C0 and C1 control characters, DEL, and the Unicode
     * format characters that reorder or hide text (bidi overrides, zero-width) become a backslash
     * escape ({@code x1b}, {@code u{202e}}); everything else is kept as it is.
     */
    static String printable(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            boolean unsafe = Character.isISOControl(c) || Character.getType(c) == Character.FORMAT;
            if (unsafe && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (out != null) {
                if (!unsafe) {
                    out.appendCodePoint(c);
                } else if (c <= 0xFF) {
                    out.append(String.format("\\x%02x", c));
                } else {
                    out.append(String.format("\\u{%04x}", c));
                }
            }
            i += Character.charCount(c);
        }
        return out == null ? text : out.toString();
    }

    void print(PrintWriter out) {
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(row[i]);
                if (i < columns - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }
}
