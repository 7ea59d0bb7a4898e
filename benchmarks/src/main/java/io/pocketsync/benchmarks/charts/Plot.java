package io.pocketsync.benchmarks.charts;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One chart panel drawn with Java2D (headless, nothing to install): lines of (x, y) points or groups of bars, on
 * linear or logarithmic axes, with a title, axis labels, grid and legend. {@link #draw} paints it into a region of an
 * image; {@link Charts} lays panels out and writes PNGs.
 */
final class Plot {
    static final Color[] COLORS = {new Color(0x1f77b4), new Color(0x9a9a9a), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0xd62728), new Color(0x9467bd)};

    /** A named line; {@code dashed} for baselines. */
    record Series(String name, double[] x, double[] y, boolean dashed) {}

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logX;
    private final boolean logY;
    private final List<Series> lines = new ArrayList<>();
    private List<String> categories = List.of();
    private double[] fixedX;
    private final List<Series> bars = new ArrayList<>();

    Plot(String title, String xLabel, String yLabel, boolean logX, boolean logY) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logX = logX;
        this.logY = logY;
    }

    /** A fixed x range instead of the data's (e.g. 0 to 100 for percentiles). */
    Plot xRange(double min, double max) {
        this.fixedX = new double[] {min, max};
        return this;
    }

    Plot line(Series series) {
        lines.add(series);
        return this;
    }

    /** Bar groups: one group per category, one bar per series ({@code y[i]} is the bar of category i). */
    Plot bars(List<String> groupNames, List<Series> series) {
        this.categories = List.copyOf(groupNames);
        bars.addAll(series);
        return this;
    }

    void draw(Graphics2D g, int left, int top, int width, int height) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        boolean barChart = !bars.isEmpty();
        // a bar chart's legend sits in a row under the title, clear of the bars' labels
        int header = barChart ? 64 : 40;
        int x0 = left + 80;
        int y0 = top + header;
        int w = width - 80 - 20;
        int h = height - header - 60;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        centered(g, title, left + width / 2, top + 22);
        double[] xr = barChart ? new double[] {0, categories.size()} : fixedX != null ? fixedX : range(lines, true);
        double[] yr = range(barChart ? bars : lines, false);
        Axis xAxis = new Axis(xr[0], xr[1], logX && !barChart, fixedX != null || barChart, x0, x0 + w);
        Axis yAxis = new Axis(logY ? yr[0] : 0, yr[1], logY, false, y0 + h, y0);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (double tick : yAxis.ticks()) {
            int py = (int) yAxis.map(tick);
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(x0, py, x0 + w, py);
            g.setColor(Color.DARK_GRAY);
            String label = number(tick);
            g.drawString(label, x0 - 8 - g.getFontMetrics().stringWidth(label), py + 4);
        }
        if (barChart) {
            drawBars(g, xAxis, yAxis, y0 + h);
        }
        else {
            for (double tick : xAxis.ticks()) {
                int px = (int) xAxis.map(tick);
                g.setColor(new Color(0xe6e6e6));
                g.drawLine(px, y0, px, y0 + h);
                g.setColor(Color.DARK_GRAY);
                centered(g, number(tick), px, y0 + h + 18);
            }
            drawLines(g, xAxis, yAxis);
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1));
        g.drawRect(x0, y0, w, h);
        centered(g, xLabel, x0 + w / 2, y0 + h + 40);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2, left + 18, y0 + h / 2.0);
        centered(g, yLabel, left + 18, y0 + h / 2 + 4);
        g.setTransform(saved);
        if (barChart) {
            int x = x0;
            for (int i = 0; i < bars.size(); i++) {
                legend(g, List.of(bars.get(i)), i, x, top + 34);
                x += legendWidth(g, List.of(bars.get(i))) + 24;
            }
        }
        else {
            for (int i = 0; i < lines.size(); i++) {
                legend(g, List.of(lines.get(i)), i, x0 + 12, y0 + 12 + i * 18);
            }
        }
    }

    private void drawLines(Graphics2D g, Axis xAxis, Axis yAxis) {
        for (int s = 0; s < lines.size(); s++) {
            Series series = lines.get(s);
            g.setColor(COLORS[s % COLORS.length]);
            g.setStroke(stroke(series.dashed()));
            Path2D path = new Path2D.Double();
            for (int i = 0; i < series.x().length; i++) {
                double px = xAxis.map(series.x()[i]);
                double py = yAxis.map(series.y()[i]);
                if (i == 0) {
                    path.moveTo(px, py);
                }
                else {
                    path.lineTo(px, py);
                }
                if (series.x().length <= 12) {
                    g.fillOval((int) px - 4, (int) py - 4, 8, 8);
                }
            }
            g.draw(path);
        }
        g.setStroke(new BasicStroke(1));
    }

    private void drawBars(Graphics2D g, Axis xAxis, Axis yAxis, int baseline) {
        double groupWidth = xAxis.map(1) - xAxis.map(0);
        double barWidth = groupWidth * 0.7 / bars.size();
        for (int c = 0; c < categories.size(); c++) {
            double start = xAxis.map(c) + groupWidth * 0.15;
            for (int s = 0; s < bars.size(); s++) {
                double value = bars.get(s).y()[c];
                if (!(value > 0)) {
                    continue;
                }
                int top = (int) yAxis.map(value);
                int bx = (int) (start + s * barWidth);
                g.setColor(COLORS[s % COLORS.length]);
                g.fillRect(bx, top, (int) barWidth - 4, baseline - top);
                g.setColor(Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                centered(g, bytes(value), bx + (int) barWidth / 2 - 2, top - 4);
            }
            g.setColor(Color.DARK_GRAY);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            centered(g, categories.get(c), (int) (xAxis.map(c) + groupWidth / 2), baseline + 18);
        }
    }

    private static int legendWidth(Graphics2D g, List<Series> series) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        int width = 0;
        for (Series s : series) {
            width = Math.max(width, fm.stringWidth(s.name()));
        }
        return width + 40;
    }

    /** One legend entry: the {@code index}-th series' colour and line, and its name. */
    private static void legend(Graphics2D g, List<Series> one, int index, int x, int y) {
        int width = legendWidth(g, one);
        g.setColor(new Color(255, 255, 255, 230));
        g.fillRect(x - 6, y - 2, width + 6, 18);
        g.setColor(COLORS[index % COLORS.length]);
        g.setStroke(stroke(one.get(0).dashed()));
        g.drawLine(x, y + 9, x + 28, y + 9);
        g.setColor(Color.BLACK);
        g.drawString(one.get(0).name(), x + 36, y + 13);
        g.setStroke(new BasicStroke(1));
    }

    private static BasicStroke stroke(boolean dashed) {
        return dashed ? new BasicStroke(2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1, new float[] {8, 5}, 0)
                : new BasicStroke(2.5f);
    }

    private static double[] range(List<Series> series, boolean x) {
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (Series s : series) {
            for (double v : x ? s.x() : s.y()) {
                if (Double.isFinite(v) && v > 0) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        return min > max ? new double[] {1, 10} : new double[] {min, max};
    }

    private static void centered(Graphics2D g, String text, int x, int y) {
        g.drawString(text, x - g.getFontMetrics().stringWidth(text) / 2, y);
    }

    static String number(double v) {
        if (v >= 1e9 && v % 1e9 == 0) {
            return String.format(Locale.ROOT, "%,.0fG", v / 1e9);
        }
        if (v >= 1_000_000 && v % 1_000_000 == 0) {
            return String.format(Locale.ROOT, "%,.0fM", v / 1_000_000);
        }
        if (v >= 1000 && v % 1000 == 0) {
            return String.format(Locale.ROOT, "%,.0fk", v / 1000);
        }
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2g", v);
    }

    static String bytes(double v) {
        String[] units = {"B", "KB", "MB", "GB"};
        int unit = 0;
        while (v >= 1000 && unit < units.length - 1) {
            v /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[unit]);
    }

    /** A linear or log10 axis from data range to pixels, with round ticks. */
    private static final class Axis {
        private final double lo;
        private final double hi;
        private final boolean log;
        private final double from;
        private final double to;

        Axis(double min, double max, boolean log, boolean exact, double from, double to) {
            this.log = log;
            if (exact) {
                this.lo = min;
                this.hi = max;
            }
            else if (log) {
                this.lo = Math.pow(10, Math.floor(Math.log10(min)));
                this.hi = Math.pow(10, Math.ceil(Math.log10(max) - 1e-9));
            }
            else {
                double step = step(max - min);
                this.lo = Math.floor(min / step) * step;
                this.hi = Math.ceil(max * 1.08 / step) * step;
            }
            this.from = from;
            this.to = to;
        }

        double map(double v) {
            double t = log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
            return from + t * (to - from);
        }

        List<Double> ticks() {
            List<Double> ticks = new ArrayList<>();
            if (log) {
                for (double v = lo; v <= hi * 1.0001; v *= 10) {
                    ticks.add(v);
                }
            }
            else {
                double step = step(hi - lo);
                for (double v = lo; v <= hi + step / 1000; v += step) {
                    ticks.add(v);
                }
            }
            return ticks;
        }

        private static double step(double span) {
            double raw = span <= 0 ? 1 : span / 6;
            double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
            double[] nice = {1, 2, 2.5, 5, 10};
            for (double n : nice) {
                if (n * magnitude >= raw) {
                    return n * magnitude;
                }
            }
            return 10 * magnitude;
        }
    }
}
