package org.infometer.pid;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.function.ToDoubleFunction;

/**
 * Stratified bootstrap of the BROJA decomposition: samples are resampled with replacement within their scene,
 * the per-sample cell counts of each replicate are summed into a joint distribution, and the solver is run on
 * each replicate. Percentile intervals are reported for R, U1, U2, S, the three mutual-information terms and
 * complementarity.
 *
 * <p>Usage:
 * <pre>{@code
 * List<PidBootstrap.Sample> samples = ...;   // one per sample: scene, key, sparse (x1, x2, y) counts
 * PidBootstrap.Result r = new PidBootstrap(BrojaSolver.withDefaults())
 *         .run(kCamera, kLidar, nClasses, samples, new PidBootstrap.Options(200, 0.95, seed, 1));
 * r.point();            // decomposition of all samples together
 * r.redundancyBits();   // percentile interval
 * r.failedReplicates(); // replicates whose solve did not converge (left out of the intervals)
 * }</pre>
 *
 * <p>Determinism: samples are sorted by (scene key, sample key) before anything else, so the result depends
 * only on the set of samples and the seed, not on their order; counts are summed as integers, so it does not
 * depend on the order of cells within a sample either. Replicate b draws from its own generator, the b-th
 * seed of a {@link SplittableRandom} seeded with the caller's seed, which keeps results identical whatever the
 * parallelism. A scene with a single sample contributes that sample to every replicate.
 */
public final class PidBootstrap {

    /**
     * One sample's contribution: outcome {@code (x1[i], x2[i], y[i])} seen {@code counts[i]} times (e.g. one count
     * per token). Arrays are copied.
     *
     * @param sceneKey  stratum; samples are resampled within their scene
     * @param sampleKey stable identifier, unique within the scene; fixes the order of samples
     */
    public record Sample(String sceneKey, String sampleKey, int[] x1, int[] x2, int[] y, long[] counts)
            implements Serializable {

        public Sample {
            if (sceneKey == null || sampleKey == null) {
                throw new IllegalArgumentException("sample keys must not be null (scene " + sceneKey + ", sample "
                        + sampleKey + ")");
            }
            if (x1 == null || x2 == null || y == null || counts == null) {
                throw new IllegalArgumentException("sample " + sceneKey + "/" + sampleKey
                        + ": x1, x2, y and counts must not be null");
            }
            if (x1.length != counts.length || x2.length != counts.length || y.length != counts.length) {
                throw new IllegalArgumentException("sample " + sceneKey + "/" + sampleKey + ": arrays differ in length"
                        + " (x1=" + x1.length + ", x2=" + x2.length + ", y=" + y.length + ", counts=" + counts.length
                        + ")");
            }
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] < 0) {
                    throw new IllegalArgumentException("sample " + sceneKey + "/" + sampleKey + ": counts[" + i + "] = "
                            + counts[i] + " is negative");
                }
            }
            x1 = x1.clone();
            x2 = x2.clone();
            y = y.clone();
            counts = counts.clone();
        }

        /** A sample of single tokens, one count per (x1[i], x2[i], y[i]). */
        public static Sample ofTokens(String sceneKey, String sampleKey, int[] x1, int[] x2, int[] y) {
            if (x1 == null) {
                throw new IllegalArgumentException("sample " + sceneKey + "/" + sampleKey + ": x1 must not be null");
            }
            long[] ones = new long[x1.length];
            Arrays.fill(ones, 1L);
            return new Sample(sceneKey, sampleKey, x1, x2, y, ones);
        }

        public long totalCount() {
            long t = 0;
            for (long c : counts) {
                t += c;
            }
            return t;
        }

        @Override
        public int[] x1() {
            return x1.clone();
        }

        @Override
        public int[] x2() {
            return x2.clone();
        }

        @Override
        public int[] y() {
            return y.clone();
        }

        @Override
        public long[] counts() {
            return counts.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Sample other && sceneKey.equals(other.sceneKey) && sampleKey.equals(other.sampleKey)
                    && Arrays.equals(x1, other.x1) && Arrays.equals(x2, other.x2) && Arrays.equals(y, other.y)
                    && Arrays.equals(counts, other.counts);
        }

        @Override
        public int hashCode() {
            return Objects.hash(sceneKey, sampleKey, Arrays.hashCode(x1), Arrays.hashCode(x2), Arrays.hashCode(y),
                    Arrays.hashCode(counts));
        }

        @Override
        public String toString() {
            return "Sample[" + sceneKey + "/" + sampleKey + ", cells=" + counts.length + ", tokens=" + totalCount()
                    + "]";
        }
    }

    /**
     * @param replicates  number of bootstrap replicates B, at least 1
     * @param level       interval coverage in (0, 1), e.g. 0.95
     * @param seed        seed of the resampling; the same seed and samples give the same result
     * @param parallelism threads solving replicates concurrently, at least 1 (results do not depend on it)
     */
    public record Options(int replicates, double level, long seed, int parallelism) implements Serializable {

        public Options {
            if (replicates < 1) {
                throw new IllegalArgumentException("replicates must be >= 1, got " + replicates);
            }
            if (!(level > 0 && level < 1)) {
                throw new IllegalArgumentException("level must be in (0, 1), got " + level);
            }
            if (parallelism < 1) {
                throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
            }
        }
    }

    /** A percentile interval; both ends NaN when no replicate gave a finite value. */
    public record Interval(double lower, double upper) implements Serializable {

        public boolean contains(double v) {
            return v >= lower && v <= upper;
        }
    }

    /**
     * A bias-corrected term: the plug-in value {@code raw}, the bias removed ({@code raw - value}), the corrected
     * value (second-order bootstrap correction, see {@link #corrected}), its standard error (the replicates' sd
     * combined with the Monte Carlo error of the correction) and the basic bootstrap interval: the replicates'
     * spread around their mean reflected around the corrected value, so the interval always contains the value it
     * is reported with. NaN everywhere when fewer than two replicates gave finite values.
     */
    public record Corrected(double raw, double bias, double value, double se, double lower, double upper)
            implements Serializable {

        public boolean contains(double v) {
            return v >= lower && v <= upper;
        }
    }

    /**
     * Bootstrap outcome.
     *
     * @param point            decomposition of all samples together
     * @param replicates       replicates run
     * @param failedReplicates replicates whose solve did not converge; they are left out of the intervals
     * @param failureMessages  the solver's messages for the first few failed replicates
     */
    public record Result(
            PidResult point,
            int nSamples,
            long nTokens,
            int nScenes,
            int replicates,
            int failedReplicates,
            List<String> failureMessages,
            double level,
            long seed,
            Interval redundancyBits,
            Interval uniqueX1Bits,
            Interval uniqueX2Bits,
            Interval synergyBits,
            Interval miX1YBits,
            Interval miX2YBits,
            Interval miJointBits,
            Interval complementarity,
            List<Corrected> corrected) implements Serializable {

        /** The order of {@link #corrected}: R, U1, U2, S, I(X1;Y), I(X2;Y), I(X1,X2;Y). */
        public static final List<String> CORRECTED_TERMS = List.of("redundancy", "unique_x1", "unique_x2", "synergy",
                "mi_x1_y", "mi_x2_y", "mi_joint");

        public Result {
            failureMessages = List.copyOf(failureMessages);
            corrected = List.copyOf(corrected);
        }
    }

    /** The terms of a result in {@link Result#CORRECTED_TERMS} order. */
    static final List<ToDoubleFunction<PidResult>> TERM_FUNCTIONS = List.of(PidResult::redundancyBits,
            PidResult::uniqueX1Bits, PidResult::uniqueX2Bits, PidResult::synergyBits, PidResult::miX1YBits,
            PidResult::miX2YBits, PidResult::miJointBits);

    private static final int MAX_FAILURE_MESSAGES = 5;

    private final BrojaSolver solver;

    public PidBootstrap(BrojaSolver solver) {
        if (solver == null) {
            throw new IllegalArgumentException("solver must not be null");
        }
        this.solver = solver;
    }

    /**
     * Runs the bootstrap.
     *
     * @param n1      number of values of X1; every sample's x1 must lie in [0, n1)
     * @param n2      number of values of X2
     * @param ny      number of values of Y
     * @param samples at least one, with positive total count, unique (scene, sample) keys
     */
    public Result run(int n1, int n2, int ny, List<Sample> samples, Options options) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        if (samples == null || samples.isEmpty()) {
            throw new IllegalArgumentException("no samples: the bootstrap needs at least one sample");
        }
        if (n1 < 1 || n2 < 1 || ny < 1) {
            throw new IllegalArgumentException("sizes must be >= 1, got n1=" + n1 + ", n2=" + n2 + ", ny=" + ny);
        }
        if ((long) n1 * n2 * ny > JointDistribution.MAX_CELLS) {
            throw new IllegalArgumentException("table n1*n2*ny = " + ((long) n1 * n2 * ny) + " cells exceeds "
                    + JointDistribution.MAX_CELLS);
        }
        List<Sample> sorted = new ArrayList<>(samples.size());
        for (Sample sm : samples) {
            if (sm == null) {
                throw new IllegalArgumentException("samples contains null");
            }
            sorted.add(sm);
        }
        sorted.sort(Comparator.comparing(Sample::sceneKey).thenComparing(Sample::sampleKey));

        int n = sorted.size();
        int[][] cells = new int[n][];
        long[][] counts = new long[n][];
        long nTokens = 0;
        for (int i = 0; i < n; i++) {
            Sample sm = sorted.get(i);
            if (i > 0 && sm.sceneKey().equals(sorted.get(i - 1).sceneKey())
                    && sm.sampleKey().equals(sorted.get(i - 1).sampleKey())) {
                throw new IllegalArgumentException("duplicate sample key " + sm.sceneKey() + "/" + sm.sampleKey()
                        + ": sample keys must be unique within a scene");
            }
            cells[i] = flatCells(sm, n1, n2, ny);
            counts[i] = sm.counts;
            nTokens += sm.totalCount();
        }
        if (nTokens <= 0) {
            throw new IllegalArgumentException("all " + n + " samples have zero counts: nothing to decompose");
        }
        // Scene strata as index ranges of the sorted list.
        List<int[]> strata = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= n; i++) {
            if (i == n || !sorted.get(i).sceneKey().equals(sorted.get(start).sceneKey())) {
                strata.add(new int[]{start, i});
                start = i;
            }
        }

        long[] all = new long[n1 * n2 * ny];
        for (int i = 0; i < n; i++) {
            accumulate(all, cells[i], counts[i]);
        }
        int[] sizes = new int[strata.size()];
        for (int s = 0; s < sizes.length; s++) {
            sizes[s] = strata.get(s)[1] - strata.get(s)[0];
        }
        Draws draws = draw(sizes, options.replicates(), options.seed());
        int size = n1 * n2 * ny;
        return runOnTables(n1, n2, ny, new Tables(all, r -> weighted(size, cells, counts, draws.outer(r)),
                r -> weighted(size, cells, counts, draws.inner(r)), n, nTokens, strata.size()), options);
    }

    /**
     * The resampling of one bootstrap, apart from the data: how often each sample (in (scene key, sample key) order)
     * is drawn into each outer and inner replicate. The tables of a replicate are the samples' counts summed with
     * these multiplicities, so a caller that holds only the keys can draw, and sum the counts elsewhere (integer
     * sums, so where and in which order they are summed does not change the table).
     */
    public static final class Draws implements Serializable {
        private final int[][] outer;
        private final int[][] inner;

        Draws(int[][] outer, int[][] inner) {
            this.outer = outer;
            this.inner = inner;
        }

        public int replicates() {
            return outer.length;
        }

        /** Multiplicity of every sample in outer replicate {@code r} (not a copy: do not modify). */
        public int[] outer(int r) {
            return outer[r];
        }

        /** Multiplicity of every sample in the inner replicate drawn from outer replicate {@code r}. */
        public int[] inner(int r) {
            return inner[r];
        }
    }

    /**
     * The draws of {@link #run} for samples whose scene strata, in sorted order, have these sizes: replicate r
     * draws from its own generator (the r-th seed of a generator seeded with {@code seed}), stratum by stratum,
     * first the outer replicate's samples and then the inner replicate's from those.
     */
    public static Draws draw(int[] strataSizes, int replicates, long seed) {
        int n = 0;
        for (int size : strataSizes) {
            n += size;
        }
        long[] replicateSeeds = new long[replicates];
        SplittableRandom root = new SplittableRandom(seed);
        for (int r = 0; r < replicates; r++) {
            replicateSeeds[r] = root.nextLong();
        }
        int[][] outer = new int[replicates][n];
        int[][] inner = new int[replicates][n];
        for (int r = 0; r < replicates; r++) {
            SplittableRandom rng = new SplittableRandom(replicateSeeds[r]);
            int start = 0;
            for (int size : strataSizes) {
                int[] drawn = new int[size];
                for (int k = 0; k < size; k++) {
                    drawn[k] = start + rng.nextInt(size);
                    outer[r][drawn[k]]++;
                }
                for (int k = 0; k < size; k++) {
                    inner[r][drawn[rng.nextInt(size)]]++;
                }
                start += size;
            }
        }
        return new Draws(outer, inner);
    }

    /**
     * The count tables of one bootstrap, dense in (x1 * n2 + x2) * ny + y order: all samples, and each outer and
     * inner replicate (made on demand, so only the replicates being solved are in memory).
     */
    public record Tables(long[] all, IntFunction<long[]> outer, IntFunction<long[]> inner, int nSamples,
                         long nTokens, int nScenes) {
    }

    /**
     * The bootstrap from tables summed elsewhere with the multiplicities of {@link #draw}: the same result as
     * {@link #run} on the samples themselves.
     */
    public Result runOnTables(int n1, int n2, int ny, Tables tables, Options options) {
        if (tables.nTokens() <= 0) {
            throw new IllegalArgumentException("all " + tables.nSamples() + " samples have zero counts: nothing to "
                    + "decompose");
        }
        PidResult point = solver.solve(toDistribution(n1, n2, ny, tables.all()));
        int b = options.replicates();
        PidResult[][] results = new PidResult[b][];
        if (options.parallelism() == 1) {
            for (int r = 0; r < b; r++) {
                results[r] = replicate(n1, n2, ny, tables, r);
            }
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(options.parallelism(), b));
            try {
                List<Future<PidResult[]>> futures = new ArrayList<>(b);
                for (int r = 0; r < b; r++) {
                    int rr = r;
                    futures.add(pool.submit(() -> replicate(n1, n2, ny, tables, rr)));
                }
                for (int r = 0; r < b; r++) {
                    results[r] = futures.get(r).get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("bootstrap interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("bootstrap replicate failed: " + e.getCause(), e.getCause());
            } finally {
                pool.shutdownNow();
            }
        }

        List<PidResult> ok = new ArrayList<>(b);
        List<PidResult> inner = new ArrayList<>(b);
        List<String> failures = new ArrayList<>();
        int failed = 0;
        for (int r = 0; r < b; r++) {
            if (results[r][0].converged() && results[r][1].converged()) {
                ok.add(results[r][0]);
                inner.add(results[r][1]);
            } else {
                failed++;
                PidResult bad = results[r][0].converged() ? results[r][1] : results[r][0];
                if (failures.size() < MAX_FAILURE_MESSAGES) {
                    failures.add("replicate " + r + ": " + bad.message());
                }
            }
        }
        double level = options.level();
        return new Result(point, tables.nSamples(), tables.nTokens(), tables.nScenes(), b, failed, failures, level,
                options.seed(),
                interval(ok, PidResult::redundancyBits, level),
                interval(ok, PidResult::uniqueX1Bits, level),
                interval(ok, PidResult::uniqueX2Bits, level),
                interval(ok, PidResult::synergyBits, level),
                interval(ok, PidResult::miX1YBits, level),
                interval(ok, PidResult::miX2YBits, level),
                interval(ok, PidResult::miJointBits, level),
                interval(ok, PidResult::complementarity, level),
                TERM_FUNCTIONS.stream().map(f -> corrected(f.applyAsDouble(point), ok, inner, f, level)).toList());
    }

    /**
     * Second-order bootstrap bias correction and the basic interval of one term (see {@link Corrected}).
     * {@code outer} are the replicates theta* drawn from the data, {@code inner} one replicate theta** drawn from each
     * outer replicate's own samples. The first-order correction 2 theta - mean(theta*) removes the O(1/N) bias but
     * leaves much of it on sparse tables (a third at 3.5 rows per cell); iterating once more,
     * 3 theta - 3 mean(theta*) + mean(theta**) (Hall 1992, sect. 1.4) removes the next order too. One inner replicate
     * per outer one estimates mean(theta**) without bias, at twice the cost of the plain bootstrap. The reported
     * SE is the replicates' sd combined with the Monte Carlo error of the correction (which shrinks as 1/B).
     */
    static Corrected corrected(double raw, List<PidResult> outer, List<PidResult> inner,
                               ToDoubleFunction<PidResult> f, double level) {
        int n = Math.min(outer.size(), inner.size());
        List<double[]> pairs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double a = f.applyAsDouble(outer.get(i));
            double c = f.applyAsDouble(inner.get(i));
            if (Double.isFinite(a) && Double.isFinite(c)) {
                pairs.add(new double[] {a, c});
            }
        }
        if (pairs.size() < 2 || !Double.isFinite(raw)) {
            return new Corrected(raw, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        int b = pairs.size();
        double[] v = pairs.stream().mapToDouble(p -> p[0]).sorted().toArray();
        double mean = mean(v);
        double mean2 = pairs.stream().mapToDouble(p -> p[1]).average().orElseThrow();
        // The correction 3 mean(theta*) - mean(theta**) is itself a Monte Carlo estimate: its variance over b
        // replicates is added to the bootstrap variance of the term, so few replicates widen the interval.
        double ss = 0;
        double mc = 0;
        for (double[] p : pairs) {
            ss += (p[0] - mean) * (p[0] - mean);
            double d = 3 * (p[0] - mean) - (p[1] - mean2);
            mc += d * d;
        }
        double var = ss / (b - 1);
        double mcVar = mc / (b - 1) / b;
        double se = Math.sqrt(var + mcVar);
        double alpha = (1.0 - level) / 2.0;
        double z = new org.apache.commons.math3.distribution.NormalDistribution(null, 0, 1)
                .inverseCumulativeProbability(1 - alpha);
        double value = 3 * raw - 3 * mean + mean2;
        // Basic interval: the spread of theta* around its mean, reflected around the corrected value, each half
        // widened by the Monte Carlo error of the correction.
        double below = Math.sqrt(Math.pow(Math.max(quantile(v, 1.0 - alpha) - mean, 0), 2) + z * z * mcVar);
        double above = Math.sqrt(Math.pow(Math.max(mean - quantile(v, alpha), 0), 2) + z * z * mcVar);
        return new Corrected(raw, raw - value, value, se, value - below, value + above);
    }

    private static double mean(double[] v) {
        double m = 0;
        for (double x : v) {
            m += x;
        }
        return m / v.length;
    }

    /** One outer replicate and the inner replicate drawn from the outer one's samples. */
    private PidResult[] replicate(int n1, int n2, int ny, Tables tables, int r) {
        return new PidResult[] {solveReplicate(n1, n2, ny, tables.outer().apply(r)),
                solveReplicate(n1, n2, ny, tables.inner().apply(r))};
    }

    /** The samples' counts summed with these multiplicities. */
    private static long[] weighted(int size, int[][] cells, long[][] counts, int[] multiplicity) {
        long[] table = new long[size];
        for (int i = 0; i < multiplicity.length; i++) {
            int m = multiplicity[i];
            for (int c = 0; c < cells[i].length; c++) {
                table[cells[i][c]] += m * counts[i][c];
            }
        }
        return table;
    }

    private PidResult solveReplicate(int n1, int n2, int ny, long[] table) {
        boolean empty = true;
        for (long v : table) {
            if (v > 0) {
                empty = false;
                break;
            }
        }
        if (empty) {
            // Every drawn sample had zero counts: there is no distribution to decompose in this replicate.
            return new PidResult(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, "no counts", Double.NaN, Double.NaN, 0, false, PidResult.Status.NUMERICAL_FAILURE,
                    "replicate drew only samples with zero counts");
        }
        return solver.solve(toDistribution(n1, n2, ny, table));
    }

    private static int[] flatCells(Sample sm, int n1, int n2, int ny) {
        int[] flat = new int[sm.counts.length];
        for (int i = 0; i < flat.length; i++) {
            int a = sm.x1[i];
            int b = sm.x2[i];
            int c = sm.y[i];
            if (a < 0 || a >= n1 || b < 0 || b >= n2 || c < 0 || c >= ny) {
                throw new IllegalArgumentException("sample " + sm.sceneKey() + "/" + sm.sampleKey() + ": cell " + i
                        + " = (x1=" + a + ", x2=" + b + ", y=" + c + ") is outside the table [" + n1 + "][" + n2
                        + "][" + ny + "]");
            }
            flat[i] = (a * n2 + b) * ny + c;
        }
        return flat;
    }

    private static void accumulate(long[] table, int[] cells, long[] counts) {
        for (int i = 0; i < cells.length; i++) {
            table[cells[i]] += counts[i];
        }
    }

    private static JointDistribution toDistribution(int n1, int n2, int ny, long[] table) {
        double[] w = new double[table.length];
        for (int i = 0; i < table.length; i++) {
            w[i] = table[i];
        }
        return JointDistribution.fromFlat(n1, n2, ny, w);
    }

    /** Percentile interval (linear interpolation between order statistics) over the finite values. */
    static Interval interval(List<PidResult> results, ToDoubleFunction<PidResult> f, double level) {
        double[] v = results.stream().mapToDouble(f).filter(Double::isFinite).sorted().toArray();
        if (v.length == 0) {
            return new Interval(Double.NaN, Double.NaN);
        }
        double alpha = (1.0 - level) / 2.0;
        return new Interval(quantile(v, alpha), quantile(v, 1.0 - alpha));
    }

    static double quantile(double[] sorted, double prob) {
        double h = (sorted.length - 1) * prob;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
