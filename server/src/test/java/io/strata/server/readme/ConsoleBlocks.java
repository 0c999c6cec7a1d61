package io.strata.server.readme;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The commands of a Markdown file's {@code ```console} blocks and the output shown under each.
 *
 * <p>The convention: a line starting with {@code $ } is a command (a trailing {@code \} continues
 * it on the next line); the lines after it, up to the next command or the block's end, are what it
 * prints, stdout and stderr together. In shown output, {@code …} stands for any text within a line,
 * and a line holding only {@code …} for any number of lines. Whatever is random in a run (backup
 * names, times, the directory the tour runs in) is matched by {@link #matches}, not marked: backup
 * names as {@code backup-} and 16 hex digits, times as ISO-8601, the working directory as
 * {@code /home/me/strata}, and runs of spaces as one (table columns widen with their cells).
 */
final class ConsoleBlocks {
    private static final Pattern TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
    static final Pattern BACKUP_NAME = Pattern.compile("backup-[0-9a-f]{16}");
    static final String ELLIPSIS = "…";

    private ConsoleBlocks() {}

    /** A command, the README line it starts on, and the lines shown as its output. */
    record Step(int line, String command, List<String> shown) {}

    static List<Step> parse(String markdown) {
        List<Step> steps = new ArrayList<>();
        String[] lines = markdown.split("\n", -1);
        boolean inBlock = false;
        StringBuilder command = null;
        int commandLine = 0;
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (!inBlock) {
                inBlock = line.strip().equals("```console");
                continue;
            }
            if (line.strip().equals("```")) {
                if (command != null) {
                    steps.add(new Step(commandLine, command.toString(), List.copyOf(shown)));
                }
                inBlock = false;
                command = null;
                continue;
            }
            if (line.startsWith("$ ")) {
                if (command != null) {
                    steps.add(new Step(commandLine, command.toString(), List.copyOf(shown)));
                }
                shown.clear();
                commandLine = i + 1;
                command = new StringBuilder(line.substring(2));
                while (command.toString().endsWith("\\") && i + 1 < lines.length) {
                    command.setLength(command.length() - 1);
                    command.append(' ').append(lines[++i].strip());
                }
                continue;
            }
            if (command == null) {
                throw new IllegalArgumentException("line " + (i + 1) + ": output before any command in a console block");
            }
            shown.add(line);
        }
        return steps;
    }

    /** Times and runs of spaces, as they are compared. */
    static String normalize(String line) {
        return TIME.matcher(line).replaceAll("<time>").replaceAll(" +", " ").stripTrailing();
    }

    /** Whether {@code printed} (already normalized) is what {@code shown} shows, with the {@code …} convention. */
    static boolean matches(List<String> shown, List<String> printed) {
        return matches(shown, 0, printed, 0);
    }

    private static boolean matches(List<String> shown, int s, List<String> printed, int p) {
        if (s == shown.size()) {
            return p == printed.size();
        }
        String expected = normalize(shown.get(s));
        if (expected.strip().equals(ELLIPSIS)) {
            for (int skip = p; skip <= printed.size(); skip++) {
                if (matches(shown, s + 1, printed, skip)) {
                    return true;
                }
            }
            return false;
        }
        return p < printed.size() && lineMatches(expected, printed.get(p)) && matches(shown, s + 1, printed, p + 1);
    }

    static boolean lineMatches(String expected, String printed) {
        StringBuilder regex = new StringBuilder();
        for (String part : expected.split(ELLIPSIS, -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString()).matcher(printed).matches();
    }

    /** The backup names of a line, in order. */
    static List<String> backupNames(String line) {
        List<String> names = new ArrayList<>();
        Matcher m = BACKUP_NAME.matcher(line);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }
}
