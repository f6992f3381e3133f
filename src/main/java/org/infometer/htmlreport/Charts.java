package org.infometer.htmlreport;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
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

    static JFreeChart stackedBars(String title, String yLabel, DefaultCategoryDataset d) {
        JFreeChart c = ChartFactory.createStackedBarChart(title, "run, k", yLabel, d, PlotOrientation.VERTICAL, true,
                false, false);
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

    private static void rotate(CategoryAxis axis) {
        axis.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    }
}
