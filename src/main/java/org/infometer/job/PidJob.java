package org.infometer.job;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.infometer.config.JobConfig;
import org.infometer.estimate.StableHash;
import org.infometer.io.FeatureInput;
import org.infometer.io.IcebergTables;
import org.infometer.pid.SampleCounts;
import org.infometer.pid.TokenDiscretizer;
import org.infometer.progress.Progress;
import org.infometer.schema.FeatureContract;
import org.infometer.schema.InputException;
import org.infometer.schema.RowValidator;
import org.infometer.spark.CachedFeatures;
import org.infometer.spark.DecodedSample;
import org.infometer.spark.ShardPass;
import scala.Tuple2;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Partial information decomposition of the task target into redundancy, unique-camera, unique-LiDAR and synergy,
 * per run and per scene, from discretised token features.
 *
 * <p>Passes: key scan (as the MI job), a sample of token vectors for the discretisers (bounded by
 * {@code pid.fitTokens} per run, chosen by stable hashes), MLlib PCA + k-means per run and modality on the driver,
 * then a keys-only pass ({@link PidSampleKeys}: run, scene, sample, target values; no maps decoded) from which the
 * driver draws the bootstrap (samples within scenes), and one counting pass ({@link PidCounting}) that assigns
 * clusters to every token and sums the (cluster_x, cluster_y, target) counts per run and k and per scene, every
 * bootstrap replicate's table at once, merged across partitions. The driver solves the exact BROJA problem on
 * each merged table and writes the {@code pid} table; no per-sample counts reach it.
 */
public final class PidJob {

    private PidJob() {
    }

    /** The discretisers of one run: one per modality. */
    record RunDiscretizers(TokenDiscretizer x, TokenDiscretizer y) implements java.io.Serializable {
    }

    static final int TARGET = FeatureContract.FILE + 1;

    public static PidOutcome run(SparkSession spark, JobConfig cfg, PrintStream console) {
        Progress progress = Progress.stderr();
        FeatureContract contract = new FeatureContract(cfg.pair().x(), cfg.pair().y());
        IcebergTables.configure(spark, cfg.output().catalog(), cfg.output().warehouse());
        JobConfig.Pid pid = cfg.pid();
        progress.step("Checking input " + cfg.input().features());
        Dataset<Row> features = FeatureInput.open(spark, cfg.input().features(), contract, cfg.input().repartition(),
                List.of(pid.target()));
        DataType targetType = features.schema().apply(pid.target()).dataType();
        boolean perToken = targetType instanceof ArrayType at && at.elementType().equals(DataTypes.IntegerType);
        if (!perToken && !targetType.equals(DataTypes.IntegerType)) {
            throw new InputException("Target column '" + pid.target() + "' of " + cfg.input().features() + " has type "
                    + targetType.sql() + "; expected ARRAY<INT> (one per token) or INT (one per sample)");
        }
        KeyScan.Result scan = KeyScan.scan(features, contract, cfg.input().features());
        RowValidator validator = scan.validator();

        // The sampling, keys and counting passes all read the rows: after the first, from memory where they fit.
        CachedFeatures cache = keepIfFits(spark, features, scan, cfg, progress);
        PidOutcome outcome;
        try {
            progress.step("Sampling token vectors for the discretisers (at most " + pid.fitTokens() + " per run)");
            Map<String, RunDiscretizers> discretizers = fitDiscretizers(spark, features, validator, scan, cfg);
            discretizers.forEach((run, d) -> progress.info("run " + run + ": " + cfg.pair().x() + " " + d.x().describe()
                    + ", " + cfg.pair().y() + " " + d.y().describe()));

            progress.step("Counting (cluster_x, cluster_y, target) per run and scene for k = " + pid.k()
                    + (pid.bootstrap() > 0 ? ", with " + pid.bootstrap() + " bootstrap replicates" : ""));
            List<PidSampleKeys.Key> keys = PidSampleKeys.scan(features, validator, perToken);
            Broadcast<PidCounting.Plan> bp = spark.sparkContext().broadcast(plan(cfg, keys, discretizers, perToken),
                    scala.reflect.ClassTag$.MODULE$.apply(PidCounting.Plan.class));
            JavaPairRDD<PidCounting.GroupKey, PidCounting.Group> counted = PidCounting.count(features, validator, bp);

            progress.step("Solving the BROJA decomposition");
            outcome = PidAnalysis.analyse(cfg, keys, PidCounting.groups(counted), discretizers, progress);
            bp.destroy();
        } finally {
            if (cache != null) {
                cache.close();
            }
        }
        progress.step("Writing " + cfg.table("pid"));
        PidAnalysis.write(spark, cfg, outcome);
        java.nio.file.Path summary = PidAnalysis.writeSummary(cfg, outcome, progress.elapsedSeconds());
        progress.finish();
        PidAnalysis.print(console, cfg, outcome);
        console.println("Status: " + PidAnalysis.status(outcome) + ". Summary: " + summary);
        return outcome;
    }

    /**
     * The feature rows kept in memory for the passes after the first ({@code input.cache}), when all of them fit
     * ({@link CachedFeatures#decide}); null otherwise, with the reason in the progress log.
     */
    static CachedFeatures keepIfFits(SparkSession spark, Dataset<Row> features, KeyScan.Result scan, JobConfig cfg,
                                     Progress progress) {
        if (!cfg.input().keepInMemory()) {
            return null;
        }
        CachedFeatures.Decision keep = CachedFeatures.decide(spark.sparkContext(), scan.mapBytes());
        if (!keep.keep()) {
            progress.info("feature rows not kept in memory (" + keep.reason() + "): every pass reads the input");
            return null;
        }
        return CachedFeatures.keep(features);
    }

    /** What the counting pass needs from the driver: discretisers, bootstrap draws, scene rows, MINE rates. */
    static PidCounting.Plan plan(JobConfig cfg, List<PidSampleKeys.Key> keys, Map<String, RunDiscretizers> discretizers,
                                 boolean perToken) {
        JobConfig.Pid pid = cfg.pid();
        Map<String, PidSampleKeys.Run> runs = PidSampleKeys.runs(keys);
        java.util.Set<String> sceneRows = PidSampleKeys.sceneRows(runs, pid.minSceneSamples());
        Map<String, Double> mineRate = new HashMap<>();
        runs.forEach((run, r) -> mineRate.put(run, PidAnalysis.mineRate(r.tokens())));
        return new PidCounting.Plan(discretizers, PidSampleKeys.weights(runs, sceneRows, cfg), sceneRows, mineRate,
                cfg.estimator().seed(), pid.k().size(), pid.bootstrap(), perToken);
    }

    static Map<String, RunDiscretizers> fitDiscretizers(SparkSession spark, Dataset<Row> features,
                                                        RowValidator validator, KeyScan.Result scan, JobConfig cfg) {
        JobConfig.Pid pid = cfg.pid();
        Map<String, Double> fraction = new HashMap<>();
        // Oversample by half, then keep exactly the fitTokens smallest hashes: deterministic and bounded.
        scan.tokensByRun().forEach((run, n) -> fraction.put(run, Math.min(1.0, 1.5 * pid.fitTokens() / (double) n)));
        long seed = cfg.estimator().seed();
        JavaRDD<Tuple2<String, Tuple2<Long, float[][]>>> picked = ShardPass.map(features, validator,
                partition -> new ShardPass.Pass<Tuple2<String, Tuple2<Long, float[][]>>>() {
                    /** The token hashes of the sample in hand, kept when picked (computed once, in needsMaps). */
                    private long[] hashes;
                    private boolean[] kept;

                    @Override
                    public boolean needsMaps(DecodedSample ids) {
                        double f = fraction.getOrDefault(ids.runId(), 1.0);
                        int t = ids.tokens();
                        hashes = new long[t];
                        kept = new boolean[t];
                        boolean any = false;
                        for (int i = 0; i < t; i++) {
                            hashes[i] = StableHash.of(ids.sampleToken() + "#" + i, seed);
                            kept[i] = (hashes[i] >>> 11) * 0x1.0p-53 < f;
                            any |= kept[i];
                        }
                        return any;
                    }

                    @Override
                    public void valid(DecodedSample s, InternalRow row,
                                      Consumer<Tuple2<String, Tuple2<Long, float[][]>>> out) {
                        int cx = s.xChannels();
                        int cy = s.yChannels();
                        for (int i = 0; i < s.tokens(); i++) {
                            if (kept[i]) {
                                out.accept(new Tuple2<>(s.runId(), new Tuple2<>(hashes[i], new float[][] {
                                        Arrays.copyOfRange(s.x(), i * cx, (i + 1) * cx),
                                        Arrays.copyOfRange(s.y(), i * cy, (i + 1) * cy)})));
                            }
                        }
                    }
                });
        Map<String, List<Tuple2<Long, float[][]>>> byRun = new TreeMap<>();
        for (Tuple2<String, Tuple2<Long, float[][]>> p : picked.collect()) {
            byRun.computeIfAbsent(p._1(), r -> new ArrayList<>()).add(p._2());
        }
        Map<String, RunDiscretizers> out = new TreeMap<>();
        for (Map.Entry<String, List<Tuple2<Long, float[][]>>> e : byRun.entrySet()) {
            List<Tuple2<Long, float[][]>> list = e.getValue();
            list.sort(Comparator.comparing((Tuple2<Long, float[][]> p) -> p._1())
                    .thenComparing(p -> Arrays.hashCode(p._2()[0])));
            int n = Math.min(list.size(), pid.fitTokens());
            int cx = list.get(0)._2()[0].length;
            int cy = list.get(0)._2()[1].length;
            float[] xs = new float[n * cx];
            float[] ys = new float[n * cy];
            for (int i = 0; i < n; i++) {
                System.arraycopy(list.get(i)._2()[0], 0, xs, i * cx, cx);
                System.arraycopy(list.get(i)._2()[1], 0, ys, i * cy, cy);
            }
            long runSeed = StableHash.of(e.getKey(), seed);
            out.put(e.getKey(), new RunDiscretizers(
                    TokenDiscretizer.fit(xs, n, cx, pid.pcaDims(), pid.k(), runSeed),
                    TokenDiscretizer.fit(ys, n, cy, pid.pcaDims(), pid.k(), ~runSeed)));
        }
        return out;
    }

    /**
     * One sample's tokens counted by (cluster_x, cluster_y, target) cell at the ki-th k, cells ascending
     * ({@code sx}, {@code sy}: scratch of the discretisers' dimensions).
     */
    static TreeMap<Long, Long> cells(RunDiscretizers d, DecodedSample s, int[] target, int ki, float[] sx,
                                     float[] sy) {
        int k = d.x().ks().get(ki);
        float[] x = s.x();
        float[] y = s.y();
        TreeMap<Long, Long> cells = new TreeMap<>();
        for (int i = 0; i < s.tokens(); i++) {
            cells.merge(SampleCounts.pack(d.x().assign(x, i, ki, sx), d.y().assign(y, i, ki, sy), k, target[i]), 1L,
                    Long::sum);
        }
        return cells;
    }

    /** A row's target per token, or why it has none. */
    record Target(int[] values, String rejection) {
    }

    /** The target of each of a sample's {@code t} tokens: the per-token array, or the sample's one value. */
    static Target target(InternalRow row, int t, boolean perToken) {
        if (row.isNullAt(TARGET)) {
            return new Target(null, "null_target: the target column is null");
        }
        if (perToken) {
            org.apache.spark.sql.catalyst.util.ArrayData arr = row.getArray(TARGET);
            boolean hasNull = false;
            for (int i = 0; i < arr.numElements() && !hasNull; i++) {
                hasNull = arr.isNullAt(i);
            }
            int[] v = arr.toIntArray();
            if (v.length != t || hasNull) {
                return new Target(null, "target_length: target has " + v.length + " values (or nulls) for " + t
                        + " tokens");
            }
            return new Target(v, null);
        }
        int[] v = new int[t];
        Arrays.fill(v, row.getInt(TARGET));
        return new Target(v, null);
    }

    /**
     * PID on any three discrete columns of any table (Parquet path or catalog table), optionally per group:
     * values are counted in Spark, mapped to dense indices in sorted order, and solved on the driver.
     */
    public static List<String> columns(SparkSession spark, String input, String x, String y, String target,
                                       String group, PrintStream out) {
        return columns(spark, input, x, y, target, group, null, out);
    }

    /** Where pid-columns writes its rows into the pid table: catalog, namespace, job_name and run_date. */
    public record ColumnsTable(String catalog, String namespace, String jobName, java.time.LocalDate runDate) {
    }

    /**
     * {@link #columns(SparkSession, String, String, String, String, String, PrintStream)}, and, when {@code table}
     * is given, one level-'run' row per group (run_id the group, '(all)' without one) replacing that
     * (run_date, job_name) in the pid table.
     */
    public static List<String> columns(SparkSession spark, String input, String x, String y, String target,
                                       String group, ColumnsTable table, PrintStream out) {
        Dataset<Row> df = openColumnsInput(spark, input);
        for (String c : group == null ? List.of(x, y, target) : List.of(x, y, target, group)) {
            if (!Arrays.asList(df.columns()).contains(c)) {
                throw new InputException("Table " + input + " has no column '" + c + "'; columns: "
                        + String.join(", ", df.columns()));
            }
        }
        for (String c : List.of(x, y, target)) {
            refuseContinuous(df, input, c);
        }
        List<org.apache.spark.sql.Column> keys = new ArrayList<>();
        for (String c : group == null ? List.of(x, y, target) : List.of(group, x, y, target)) {
            keys.add(org.apache.spark.sql.functions.col(c).cast("string").as(c));
        }
        List<Row> counted = df.groupBy(keys.toArray(new org.apache.spark.sql.Column[0])).count().collectAsList();
        Map<String, List<Row>> byGroup = new TreeMap<>();
        int off = group == null ? 0 : 1;
        long nulls = 0;
        for (Row r : counted) {
            if (r.isNullAt(off) || r.isNullAt(off + 1) || r.isNullAt(off + 2)) {
                nulls += r.getLong(off + 3);
                continue;
            }
            byGroup.computeIfAbsent(group == null ? "(all)" : String.valueOf(r.get(0)), g -> new ArrayList<>()).add(r);
        }
        if (byGroup.isEmpty()) {
            throw new InputException(counted.isEmpty() ? "Table " + input + " has no rows: there is nothing to "
                    + "decompose" : "Table " + input + " has no row where " + x + ", " + y + " and " + target
                    + " are all set (" + nulls + " rows, each with a null in one of them)");
        }
        for (int i = 0; i < 3; i++) {
            final int col = off + i;
            long distinct = counted.stream().filter(r -> !r.isNullAt(col)).map(r -> r.getString(col)).distinct()
                    .count();
            if (distinct > MAX_CATEGORIES) {
                throw new InputException("Column '" + List.of(x, y, target).get(i) + "' of " + input + " has "
                        + distinct + " distinct values, more than the " + MAX_CATEGORIES + " categories pid-columns "
                        + "decomposes (the BROJA problem grows with the product of the three category counts); "
                        + "group its values into fewer categories first");
            }
        }
        List<String> lines = new ArrayList<>();
        lines.add(String.format("PID of %s by %s (x1) and %s (x2) in %s, bits%s", target, x, y, input,
                nulls > 0 ? String.format(" (%,d rows with a null in these columns not counted)", nulls) : ""));
        org.infometer.pid.BrojaSolver solver = org.infometer.pid.BrojaSolver.withDefaults();
        List<ColumnsRow> pidRows = new ArrayList<>();
        for (Map.Entry<String, List<Row>> g : byGroup.entrySet()) {
            List<Map<String, Integer>> dicts = List.of(new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
            for (Row r : g.getValue()) {
                for (int i = 0; i < 3; i++) {
                    dicts.get(i).put(r.getString(off + i), 0);
                }
            }
            for (Map<String, Integer> d : dicts) {
                int i = 0;
                for (Map.Entry<String, Integer> e : d.entrySet()) {
                    e.setValue(i++);
                }
            }
            int n = g.getValue().size();
            int[] a = new int[n];
            int[] b = new int[n];
            int[] c = new int[n];
            long[] w = new long[n];
            for (int i = 0; i < n; i++) {
                Row r = g.getValue().get(i);
                a[i] = dicts.get(0).get(r.getString(off));
                b[i] = dicts.get(1).get(r.getString(off + 1));
                c[i] = dicts.get(2).get(r.getString(off + 2));
                w[i] = r.getLong(off + 3);
            }
            org.infometer.pid.PidResult p = solver.solve(org.infometer.pid.JointDistribution.fromSparseCounts(
                    dicts.get(0).size(), dicts.get(1).size(), dicts.get(2).size(), a, b, c, w));
            lines.add(String.format("%s: R %.6f  U(%s) %.6f  U(%s) %.6f  S %.6f  | I(x1;T) %.6f I(x2;T) %.6f "
                            + "I(x1,x2;T) %.6f | %s, gap %.1e", g.getKey(), p.redundancyBits(), x, p.uniqueX1Bits(), y,
                    p.uniqueX2Bits(), p.synergyBits(), p.miX1YBits(), p.miX2YBits(), p.miJointBits(),
                    p.converged() ? "converged" : "NOT CONVERGED (" + p.message() + ")", p.dualityGapBits()));
            if (table != null) {
                pidRows.add(columnsRow(g.getKey(), p, w, dicts, x, y));
            }
        }
        lines.forEach(out::println);
        if (table != null) {
            writeColumns(spark, table, pidRows, x, y, target);
            String full = table.catalog() + "." + table.namespace() + ".pid";
            out.println("Wrote " + pidRows.size() + " rows to " + full + " (job_name '" + table.jobName()
                    + "', run_date " + table.runDate() + ")");
        }
        return lines;
    }

    /** A pid-columns row; the PidRow's k is the x category count, and y has its own. */
    record ColumnsRow(PidAnalysis.PidRow row, int kY) {
    }

    static ColumnsRow columnsRow(String group, org.infometer.pid.PidResult p, long[] counts,
                                        List<Map<String, Integer>> dicts, String x, String y) {
        long rows = Arrays.stream(counts).sum();
        long occupied = Arrays.stream(counts).filter(c -> c > 0).count();
        org.infometer.report.Validity.Verdict v = org.infometer.report.Validity.pid(p.converged(), p.message(), rows,
                occupied, PidAnalysis.TERMS, null, p.miJointBits());
        // The same rule as the pid mode with pid.bootstrap = 0: plug-in terms without an interval are not ok.
        List<String> reasons = new ArrayList<>(v.reasons());
        reasons.add("pid-columns: terms are plug-in, not bias-corrected, and have no interval");
        v = new org.infometer.report.Validity.Verdict(v.status() == org.infometer.report.Validity.Status.FAILED
                ? org.infometer.report.Validity.Status.FAILED : org.infometer.report.Validity.Status.UNRELIABLE,
                reasons);
        String disc = "categories: " + x + " " + dicts.get(0).size() + ", " + y + " " + dicts.get(1).size();
        // One row of the input is one sample and one token: pid-columns has no token axis.
        return new ColumnsRow(new PidAnalysis.PidRow("run", group, null, dicts.get(0).size(), disc, 0, rows, rows,
                dicts.get(2).size(), p, null, null, 0, 0, null, occupied, v), dicts.get(1).size());
    }

    static void writeColumns(SparkSession spark, ColumnsTable table, List<ColumnsRow> pidRows, String x,
                             String y, String target) {
        org.infometer.schema.TableContract contract = org.infometer.schema.TableContract.load("pid");
        List<Row> rows = new ArrayList<>();
        for (ColumnsRow c : pidRows) {
            PidAnalysis.PidRow r = c.row();
            Map<String, Object> v = new java.util.LinkedHashMap<>();
            v.put("run_date", java.sql.Date.valueOf(table.runDate()));
            v.put("job_name", table.jobName());
            v.put("level", r.level());
            v.put("run_id", r.runId());
            v.put("scene_token", null);
            v.put("x_modality", x);
            v.put("y_modality", y);
            v.put("target_column", target);
            v.put("discretisation", r.discretisation());
            v.put("main_k", true);
            v.put("k_x", r.k());
            v.put("k_y", c.kY());
            // No projection: the columns are categories already.
            v.put("pca_dims", null);
            v.putAll(PidAnalysis.measured(r, Double.NaN));
            rows.add(contract.row(v));
        }
        IcebergTables.ensure(spark, table.catalog(), table.namespace(), "pid");
        IcebergTables.publish(spark, table.catalog(), table.namespace(), PidAnalysis.withHistory(rows),
                table.runDate(), table.jobName());
    }

    /** Most distinct values a pid-columns column may have; each is one category of the decomposition. */
    static final int MAX_CATEGORIES = 1000;

    /**
     * The pid-columns input: a path (anything with a '/') read as Parquet, else a catalog table. A path or table
     * that does not exist, or a path that is not Parquet, is bad input naming it, not a Spark stack trace.
     */
    static Dataset<Row> openColumnsInput(SparkSession spark, String input) {
        if (input.contains("/")) {
            FeatureInput.listParquet(spark, input);   // names a missing or empty path
            try {
                return spark.read().parquet(input);
            } catch (RuntimeException e) {
                throw new InputException("Input " + input + " is not a readable Parquet table: "
                        + String.valueOf(e.getMessage()).split("\n")[0], e);
            }
        }
        if (!spark.catalog().tableExists(input)) {
            throw new InputException("Table " + input + " does not exist (--input takes a Parquet path, which "
                    + "must contain a '/', e.g. ./table.parquet, or a catalog table name)");
        }
        return spark.table(input);
    }

    /**
     * Every distinct value of a column is a category, so a floating-point column of continuous values would
     * silently become as many categories as it has values. Such a column is refused; one holding only whole
     * numbers (e.g. 1.0, 2.0) is read as those categories.
     */
    static void refuseContinuous(Dataset<Row> df, String input, String column) {
        DataType t = df.schema().apply(column).dataType();
        boolean fractional = t.equals(DataTypes.FloatType) || t.equals(DataTypes.DoubleType)
                || (t instanceof org.apache.spark.sql.types.DecimalType d && d.scale() > 0);
        if (!fractional) {
            return;
        }
        org.apache.spark.sql.Column c = org.apache.spark.sql.functions.col(column);
        org.apache.spark.sql.Column nonWhole = c.isNotNull().and(c.isNaN().or(c.notEqual(
                org.apache.spark.sql.functions.floor(c))));
        Row r = df.filter(nonWhole).agg(org.apache.spark.sql.functions.count("*"),
                org.apache.spark.sql.functions.first(c)).first();
        long bad = r.getLong(0);
        if (bad > 0) {
            throw new InputException("Column '" + column + "' of " + input + " is " + t.sql() + " with " + bad
                    + " non-integer values (e.g. " + r.get(1) + "): pid-columns needs discrete columns, and would "
                    + "count every distinct value as a category. Discretise it first (e.g. FLOOR(" + column
                    + " / width), or quantile bins) or use the pid mode, which clusters feature maps");
        }
    }
}
