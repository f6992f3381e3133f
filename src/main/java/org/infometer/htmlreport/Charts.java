package org.infometer.htmlreport;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

import java.awt.Color;
import java.awt.Rectangle;
import java.util.List;
import java.util.Map;

/** The report's charts, drawn by JFreeChart and rendered to SVG markup by JFreeSVG for inlining in the page. */
final class Charts {

    static final int WIDTH = 760;
    static final int HEIGHT = 360;

    private Charts() {
    }

    static String svg(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setPadding(new RectangleInsets(4, 4, 4, 4));
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
        return g.getSVGElement();
    }

    /**
     * Bars with error bars of half-width {@code halfWidth} (value, half-width per series and category): the
     * statistical renderer draws mean ± "standard deviation", here the interval's half-width.
     */
    static JFreeChart intervalBars(String title, String yLabel, Map<String, Map<String, double[]>> bySeries) {
        DefaultStatisticalCategoryDataset d = new DefaultStatisticalCategoryDataset();
        bySeries.forEach((series, cats) -> cats.forEach((cat, v) -> d.add(v[0], v[1], series, cat)));
        JFreeChart c = ChartFactory.createLineChart(title, "run", yLabel, d, PlotOrientation.VERTICAL, true, false,
                false);
        CategoryPlot p = c.getCategoryPlot();
        StatisticalBarRenderer r = new StatisticalBarRenderer();
        r.setErrorIndicatorPaint(Color.BLACK);
        p.setRenderer(r);
        rotate(p.getDomainAxis());
        return c;
    }

    static JFreeChart groupedBars(String title, String yLabel, DefaultCategoryDataset d) {
        JFreeChart c = ChartFactory.createBarChart(title, "run", yLabel, d, PlotOrientation.VERTICAL, true, false,
                false);
        rotate(c.getCategoryPlot().getDomainAxis());
        return c;
    }

    static JFreeChart boxes(String title, String yLabel, Map<String, List<Double>> valuesByRun) {
        DefaultBoxAndWhiskerCategoryDataset d = new DefaultBoxAndWhiskerCategoryDataset();
        valuesByRun.forEach((run, values) -> d.add(values, "scenes", run));
        JFreeChart c = ChartFactory.createBoxAndWhiskerChart(title, "run", yLabel, d, false);
        // the default mean marker is sized to the box width and hides the median line on a few boxes
        ((org.jfree.chart.renderer.category.BoxAndWhiskerRenderer) c.getCategoryPlot().getRenderer())
                .setMeanVisible(false);
        rotate(c.getCategoryPlot().getDomainAxis());
        return c;
    }

    /** One series per group (run), points (x, y). */
    static JFreeChart scatter(String title, String xLabel, String yLabel, Map<String, List<double[]>> byGroup) {
        XYSeriesCollection d = new XYSeriesCollection();
        byGroup.forEach((group, points) -> {
            XYSeries s = new XYSeries(group, false, true);
            points.forEach(pt -> s.add(pt[0], pt[1]));
            d.addSeries(s);
        });
        JFreeChart c = ChartFactory.createScatterPlot(title, xLabel, yLabel, d, PlotOrientation.VERTICAL, true, false,
                false);
        ((org.jfree.chart.axis.NumberAxis) c.getXYPlot().getDomainAxis()).setAutoRangeIncludesZero(false);
        ((org.jfree.chart.axis.NumberAxis) c.getXYPlot().getRangeAxis()).setAutoRangeIncludesZero(false);
        return c;
    }

    static JFreeChart lines(String title, String xLabel, String yLabel, Map<String, List<double[]>> bySeries) {
        XYSeriesCollection d = new XYSeriesCollection();
        bySeries.forEach((name, points) -> {
            XYSeries s = new XYSeries(name, false, true);
            points.forEach(pt -> s.add(pt[0], pt[1]));
            d.addSeries(s);
        });
        JFreeChart c = ChartFactory.createXYLineChart(title, xLabel, yLabel, d, PlotOrientation.VERTICAL, true, false,
                false);
        ((org.jfree.chart.axis.NumberAxis) c.getXYPlot().getRangeAxis()).setAutoRangeIncludesZero(false);
        return c;
    }

    /**
     * Each term's value with its interval, terms side by side within each category (run and k): a point with a
     * vertical bar from {@code low} to {@code high}, which may be asymmetric (bootstrap intervals are). Points per
     * series and category are {value, low, high}; a missing interval draws the point alone.
     */
    static JFreeChart termIntervals(String title, String xLabel, String yLabel, List<String> categories,
                                    Map<String, Map<String, double[]>> bySeries) {
        YIntervalSeriesCollection d = new YIntervalSeriesCollection();
        int n = bySeries.size();
        int i = 0;
        for (Map.Entry<String, Map<String, double[]>> series : bySeries.entrySet()) {
            YIntervalSeries s = new YIntervalSeries(series.getKey(), false, true);
            // Spread the terms of one category over [-0.3, 0.3] so neither points nor bars overlap.
            double offset = n == 1 ? 0 : -0.3 + 0.6 * i / (n - 1);
            for (int c = 0; c < categories.size(); c++) {
                double[] v = series.getValue().get(categories.get(c));
                if (v != null) {
                    s.add(c + offset, v[0], Double.isNaN(v[1]) ? v[0] : v[1], Double.isNaN(v[2]) ? v[0] : v[2]);
                }
            }
            d.addSeries(s);
            i++;
        }
        SymbolAxis x = new SymbolAxis(xLabel, categories.toArray(new String[0]));
        x.setGridBandsVisible(false);
        x.setVerticalTickLabels(categories.size() > 4);
        NumberAxis y = new NumberAxis(yLabel);
        XYErrorRenderer r = errorRenderer(false);
        XYPlot plot = new XYPlot(d, x, y, r);
        JFreeChart chart = themed(new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true));
        plot.addRangeMarker(new org.jfree.chart.plot.ValueMarker(0, Color.DARK_GRAY, new java.awt.BasicStroke(1f)));
        return chart;
    }

    /**
     * Values by date with their intervals, one line per series (points {epoch millis, value, low, high}), and the
     * points of {@code marked} drawn on top as large red diamonds under the label {@code markLabel}.
     */
    static JFreeChart datedIntervals(String title, String yLabel, Map<String, List<double[]>> bySeries,
                                     List<double[]> marked, String markLabel) {
        YIntervalSeriesCollection d = new YIntervalSeriesCollection();
        bySeries.forEach((name, points) -> {
            YIntervalSeries s = new YIntervalSeries(name, false, true);
            points.forEach(p -> s.add(p[0], p[1], Double.isNaN(p[2]) ? p[1] : p[2], Double.isNaN(p[3]) ? p[1] : p[3]));
            d.addSeries(s);
        });
        DateAxis x = new DateAxis("run date");
        x.setDateFormatOverride(new java.text.SimpleDateFormat("yyyy-MM-dd"));
        ((java.text.SimpleDateFormat) x.getDateFormatOverride()).setTimeZone(java.util.TimeZone.getTimeZone("UTC"));
        x.setTimeZone(java.util.TimeZone.getTimeZone("UTC"));
        // One tick per day at most: the automatic units label several ticks of one day with the same date.
        x.setTickUnit(new org.jfree.chart.axis.DateTickUnit(org.jfree.chart.axis.DateTickUnitType.DAY,
                Math.max(1, (int) Math.ceil(days(bySeries) / 10.0))));
        x.setLowerMargin(0.05);
        x.setUpperMargin(0.05);
        NumberAxis y = new NumberAxis(yLabel);
        y.setAutoRangeIncludesZero(false);
        XYPlot plot = new XYPlot(d, x, y, errorRenderer(true));
        if (!marked.isEmpty()) {
            XYSeriesCollection m = new XYSeriesCollection();
            XYSeries s = new XYSeries(markLabel, false, true);
            marked.forEach(p -> s.add(p[0], p[1]));
            m.addSeries(s);
            XYLineAndShapeRenderer mr = new XYLineAndShapeRenderer(false, true);
            mr.setSeriesPaint(0, Color.RED);
            mr.setSeriesShape(0, new java.awt.geom.Path2D.Double(new java.awt.Polygon(new int[] {0, 8, 0, -8},
                    new int[] {-8, 0, 8, 0}, 4)));
            plot.setDataset(1, m);
            plot.setRenderer(1, mr);
            plot.setDatasetRenderingOrder(org.jfree.chart.plot.DatasetRenderingOrder.FORWARD);
        }
        return themed(new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true));
    }

    /** The ChartFactory charts' look (grey plot, white grid) for a chart built from its parts. */
    private static JFreeChart themed(JFreeChart c) {
        org.jfree.chart.ChartUtils.applyCurrentTheme(c);
        return c;
    }

    /** Days between the first and last point of the series (epoch millis in p[0]). */
    private static double days(Map<String, List<double[]>> bySeries) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (List<double[]> points : bySeries.values()) {
            for (double[] p : points) {
                lo = Math.min(lo, p[0]);
                hi = Math.max(hi, p[0]);
            }
        }
        return hi > lo ? (hi - lo) / 86_400_000.0 : 1;
    }

    private static XYErrorRenderer errorRenderer(boolean lines) {
        XYErrorRenderer r = new XYErrorRenderer();
        r.setDrawXError(false);
        r.setDrawYError(true);
        r.setDefaultLinesVisible(lines);
        r.setDefaultShapesVisible(true);
        // Over dates the runs' bars share an x: each in its run's colour; side-by-side terms read fine in black.
        r.setErrorPaint(lines ? null : Color.BLACK);
        r.setCapLength(6);
        return r;
    }

    private static void rotate(CategoryAxis axis) {
        axis.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    }
}
