package org.infometer.correlate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.infometer.correlate.stats.Correlation;
import org.infometer.correlate.stats.CorrelationMethod;
import org.infometer.correlate.stats.CorrelationResult;
import org.infometer.correlate.stats.SplitMix64;
import org.infometer.schema.SchemaCheck;

/**
 * Correlates information measures with detection accuracy, per level (run or scene), per (x, y) pair, with
 * Pearson, Spearman and Kendall tau-b, permutation p-values and bootstrap intervals.
 *
 * <p>Usage:
 * <pre>{@code
 * List<CorrelationAnalysis.Observation> obs = CorrelationAnalysis.collect(joinedPoints);  // INPUT schema
 * List<CorrelationAnalysis.CorrelationRow> rows = new CorrelationAnalysis(Correlation.TestSettings.defaults()).analyse(obs);
 * CorrelationAnalysis.summaryLines(rows).forEach(System.out::println);
 * CorrelationAnalysis.toDataset(spark, rows).writeTo(...);                              // data-schemas/correlation.ddl
 * }</pre>
 *
 * <p>Inputs are small (one point per run, or per run and scene), so the statistics run on the driver in
 * plain Java. Each (level, x, y) draws its permutations and resamples from a seed derived from the settings'
 * seed and those names, so results do not depend on the order of the input or of the other pairs.
 * For scene-level y, pass the present-class accuracy (scene_accuracy.map_present_classes); the devkit's
 * 10-class mean penalises a scene for classes it does not contain.
 */
public final class CorrelationAnalysis {

    /** Input points: data-schemas has no file for them; this is their schema. */
    public static final StructType INPUT = StructType.fromDDL("level STRING NOT NULL, run_id STRING NOT NULL, "
            + "scene_token STRING, x_name STRING NOT NULL, x_value DOUBLE, y_name STRING NOT NULL, y_value DOUBLE");

    /** data-schemas/correlation.ddl after its run_date, job_name, mi_job_name and mi_run_date columns. */
    public static final StructType OUTPUT = StructType.fromDDL("level STRING NOT NULL, x_name STRING NOT NULL, "
            + "y_name STRING NOT NULL, method STRING NOT NULL, n INT NOT NULL, n_dropped INT NOT NULL, "
            + "coefficient DOUBLE NOT NULL, p_value DOUBLE NOT NULL, p_value_kind STRING NOT NULL, "
            + "permutations BIGINT NOT NULL, min_attainable_p DOUBLE NOT NULL, ci_low DOUBLE NOT NULL, "
            + "ci_high DOUBLE NOT NULL, ci_level DOUBLE NOT NULL, bootstrap_resamples INT NOT NULL, "
            + "direction STRING NOT NULL, strength STRING NOT NULL, status STRING NOT NULL, note STRING NOT NULL, "
            + "summary STRING NOT NULL");

    /** One point: x and y of a run (level "run") or of a run on a scene (level "scene"). */
    public record Observation(String level, String runId, String sceneToken, String xName, double x, String yName,
            double y) {

        public Observation {
            if (!"run".equals(level) && !"scene".equals(level)) {
                throw new IllegalArgumentException("level must be 'run' or 'scene', got '" + level + "'");
            }
            if (runId == null || xName == null || yName == null) {
                throw new IllegalArgumentException("run_id, x_name and y_name must be set: " + runId + ", " + xName
                        + ", " + yName);
            }
            if ("scene".equals(level) && sceneToken == null) {
                throw new IllegalArgumentException("scene-level point of run " + runId + " (" + xName + " vs "
                        + yName + ") has no scene_token");
            }
        }
    }

    /**
     * One row of the correlation table.
     *
     * @param caveats about the points rather than the statistic (dropped points, pooled runs)
     */
    public record CorrelationRow(String level, String xName, String yName, int nDropped, CorrelationResult result,
            List<String> caveats) {

        public String status() {
            return Double.isNaN(result.coefficient()) ? "undefined" : "ok";
        }

        /** The result's own note followed by the caveats. */
        public String note() {
            List<String> all = new ArrayList<>();
            if (!result.note().isEmpty()) {
                all.add(result.note());
            }
            all.addAll(caveats);
            return String.join("; ", all);
        }

        public String summary() {
            return "[" + level + "] " + xName + " vs " + yName + ": " + result.describe()
                    + (caveats.isEmpty() ? "" : " Caveat: " + String.join("; ", caveats) + ".");
        }

        public Row toRow() {
            CorrelationResult r = result;
            return RowFactory.create(level, xName, yName, r.method().id(), r.n(), nDropped, r.coefficient(),
                    r.pValue(), r.pValueKind().id(), r.permutations(), r.minAttainablePValue(), r.ciLow(),
                    r.ciHigh(), r.ciLevel(), r.bootstrapResamples(), r.direction(), r.strength(), status(), note(),
                    summary());
        }
    }

    private final Correlation.TestSettings settings;

    public CorrelationAnalysis(Correlation.TestSettings settings) {
        this.settings = settings;
    }

    /** Reads and checks input points collected from a Dataset of {@link #INPUT} shape. */
    public static List<Observation> collect(Dataset<Row> points) {
        Dataset<Row> df = SchemaCheck.conform(points, INPUT, "correlation input", false);
        List<Observation> out = new ArrayList<>();
        for (Row r : df.collectAsList()) {
            out.add(new Observation(r.getString(0), r.getString(1), r.getString(2), r.getString(3),
                    r.isNullAt(4) ? Double.NaN : r.getDouble(4), r.getString(5), r.isNullAt(6) ? Double.NaN : r.getDouble(6)));
        }
        return out;
    }

    public List<CorrelationRow> analyse(List<Observation> observations) {
        Map<String, List<Observation>> groups = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        for (Observation o : observations) {
            String point = o.level() + "\u0000" + o.xName() + "\u0000" + o.yName() + "\u0000" + o.runId() + "\u0000"
                    + o.sceneToken();
            if (!seen.add(point)) {
                throw new IllegalArgumentException("duplicate point for level " + o.level() + ", " + o.xName() + " vs "
                        + o.yName() + ", run " + o.runId() + (o.sceneToken() == null ? "" : ", scene " + o.sceneToken())
                        + ": a join upstream repeated it");
            }
            groups.computeIfAbsent(o.level() + "\u0000" + o.xName() + "\u0000" + o.yName(), k -> new ArrayList<>()).add(o);
        }
        List<CorrelationRow> rows = new ArrayList<>();
        for (List<Observation> g : groups.values()) {
            rows.addAll(analyseGroup(g));
        }
        return rows;
    }

    private List<CorrelationRow> analyseGroup(List<Observation> unordered) {
        // Resamples pick points by position, so a fixed order is what makes results independent of input order.
        List<Observation> g = new ArrayList<>(unordered);
        g.sort(Comparator.comparing(Observation::runId)
                .thenComparing(Observation::sceneToken, Comparator.nullsFirst(Comparator.naturalOrder())));
        Observation first = g.get(0);
        List<double[]> pairs = new ArrayList<>();
        Set<String> runs = new LinkedHashSet<>();
        for (Observation o : g) {
            if (Double.isFinite(o.x()) && Double.isFinite(o.y())) {
                pairs.add(new double[] {o.x(), o.y()});
                runs.add(o.runId());
            }
        }
        int dropped = g.size() - pairs.size();
        double[] x = new double[pairs.size()];
        double[] y = new double[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            x[i] = pairs.get(i)[0];
            y[i] = pairs.get(i)[1];
        }
        List<String> caveats = new ArrayList<>();
        if (dropped > 0) {
            caveats.add(dropped + " point(s) with a non-finite x or y left out");
        }
        if ("scene".equals(first.level()) && runs.size() > 1) {
            caveats.add("points pool " + runs.size() + " runs over the same scenes, which are not independent; "
                    + "the permutation p-value treats them as exchangeable");
        }
        Correlation.TestSettings s = settings.withSeed(SplitMix64.seed(settings.seed(), first.level(), first.xName(),
                first.yName()));
        List<CorrelationRow> out = new ArrayList<>();
        for (CorrelationMethod m : CorrelationMethod.values()) {
            out.add(new CorrelationRow(first.level(), first.xName(), first.yName(), dropped,
                    Correlation.test(m, x, y, s), List.copyOf(caveats)));
        }
        return out;
    }

    public static List<String> summaryLines(List<CorrelationRow> rows) {
        return rows.stream().map(CorrelationRow::summary).toList();
    }

    public static Dataset<Row> toDataset(SparkSession spark, List<CorrelationRow> rows) {
        return spark.createDataFrame(rows.stream().map(CorrelationRow::toRow).toList(), OUTPUT);
    }
}
