package io.pocketsync.server;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Prints the demo's story: numbered chapters, indented lines, a progress bar, and two tables side by
 * side. Plain ASCII so it reads the same in every terminal and in a CI log.
 *
 * <p>Not thread-safe: one narrator per demo, called from the demo thread (progress events are
 * handed over to it, never printed from an engine thread directly).
 */
final class DemoNarrator {
    private static final int BAR_WIDTH = 30;

    private final PrintWriter out;
    private int chapter;
    private int lastProgressPercent = -1;

    DemoNarrator(PrintWriter out) {
        this.out = requireNonNull(out, "out is null");
    }

    void chapter(String title) {
        chapter++;
        out.println();
        out.println("== " + chapter + ". " + title);
        out.flush();
    }

    void say(String line) {
        out.println("   " + line);
        out.flush();
    }

    /** A progress bar line; repeated calls with the same percentage print nothing. */
    void progress(String label, long done, long total) {
        long safeTotal = Math.max(1, total);
        int percent = (int) Math.min(100, done * 100 / safeTotal);
        if (percent == lastProgressPercent) {
            return;
        }
        lastProgressPercent = percent;
        out.println("   " + bar(done, safeTotal) + " " + percent + "% " + label + " (" + done + "/" + total + ")");
        out.flush();
    }

    void resetProgress() {
        lastProgressPercent = -1;
    }

    static String bar(long done, long total) {
        int filled = (int) Math.min(BAR_WIDTH, done * BAR_WIDTH / Math.max(1, total));
        return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "]";
    }

    /** Two row lists side by side, each row rendered as {@code key: value}. */
    void sideBySide(String leftTitle, List<Map.Entry<String, String>> left, String rightTitle,
            List<Map.Entry<String, String>> right) {
        List<String> leftLines = render(leftTitle, left);
        List<String> rightLines = render(rightTitle, right);
        int width = leftLines.stream().mapToInt(String::length).max().orElse(0) + 4;
        for (int i = 0; i < Math.max(leftLines.size(), rightLines.size()); i++) {
            String l = i < leftLines.size() ? leftLines.get(i) : "";
            String r = i < rightLines.size() ? rightLines.get(i) : "";
            out.println("   " + l + " ".repeat(width - l.length()) + r);
        }
        out.flush();
    }

    private static List<String> render(String title, List<Map.Entry<String, String>> rows) {
        List<String> lines = new ArrayList<>();
        lines.add(title);
        lines.add("-".repeat(Math.max(title.length(), 12)));
        int keyWidth = rows.stream().mapToInt(e -> e.getKey().length()).max().orElse(0);
        for (Map.Entry<String, String> row : rows) {
            lines.add(row.getKey() + " ".repeat(keyWidth - row.getKey().length()) + "  " + row.getValue());
        }
        if (rows.isEmpty()) {
            lines.add("(empty)");
        }
        return lines;
    }
}
