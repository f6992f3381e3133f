package org.infometer.pid;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Timing of {@link BrojaSolver} on random dense and sparse distributions (not a test).
 *
 * <p>Usage: {@code java --add-modules=jdk.incubator.vector -cp <classes and dependencies>
 * org.infometer.pid.PidSolverBenchmark [n1 n2 ny repetitions seed]} (defaults 64 64 16 5 42), or
 * {@code PidSolverBenchmark.report(64, 64, 16, 5, 42)} from a job, which returns the same text. The solver's
 * dense arithmetic runs on the BLAS the job chose ({@link org.infometer.estimate.Blas}); the report names it.
 *
 * <p>Each repetition solves a fresh distribution drawn from the seed: dense = every cell weight uniform in
 * (0,1); sparse = each cell nonzero with probability 0.1. One untimed warm-up solve lets the JIT compile the
 * kernels first. Wall time is what a caller waits; CPU time is the solver thread's own work, which is the
 * steadier figure on a shared machine.
 */
public final class PidSolverBenchmark {

    private static final double SPARSE_DENSITY = 0.1;

    private PidSolverBenchmark() {
    }

    public static void main(String[] args) {
        int n1 = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int n2 = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int ny = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int reps = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        long seed = args.length > 4 ? Long.parseLong(args[4]) : 42L;
        System.out.print(report(n1, n2, ny, reps, seed));
    }

    /** Runs the benchmark and returns the report. */
    public static String report(int n1, int n2, int ny, int repetitions, long seed) {
        if (repetitions < 1) {
            throw new IllegalArgumentException("repetitions must be >= 1, got " + repetitions);
        }
        BrojaSolver solver = BrojaSolver.withDefaults();
        SplittableRandom rng = new SplittableRandom(seed);
        solver.solve(random(n1, n2, ny, 1.0, rng.split()));
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "BROJA solver benchmark: %d x %d x %d, %d repetitions per kind, seed %d,"
                        + " gap tolerance %.0e bits, %d available processors%n", n1, n2, ny, repetitions, seed,
                solver.options().gapToleranceBits(), Runtime.getRuntime().availableProcessors()));
        out.append("BLAS: ").append(org.infometer.estimate.Blas.describe()).append(System.lineSeparator());
        out.append(String.format(Locale.ROOT, "%-7s %-28s %-28s %-12s %-12s %s%n", "kind", "wall s median [min, max]",
                "cpu s median [min, max]", "iterations", "max gap bits", "converged"));
        for (String kind : new String[]{"dense", "sparse"}) {
            double density = kind.equals("dense") ? 1.0 : SPARSE_DENSITY;
            double[] wall = new double[repetitions];
            double[] cpu = new double[repetitions];
            int minIt = Integer.MAX_VALUE;
            int maxIt = 0;
            double maxGap = 0;
            int converged = 0;
            for (int r = 0; r < repetitions; r++) {
                JointDistribution p = random(n1, n2, ny, density, rng.split());
                long c0 = cpuNanos();
                long w0 = System.nanoTime();
                PidResult res = solver.solve(p);
                wall[r] = (System.nanoTime() - w0) / 1e9;
                cpu[r] = (cpuNanos() - c0) / 1e9;
                minIt = Math.min(minIt, res.iterations());
                maxIt = Math.max(maxIt, res.iterations());
                maxGap = Math.max(maxGap, res.dualityGapBits());
                if (res.converged()) {
                    converged++;
                }
            }
            out.append(String.format(Locale.ROOT, "%-7s %-28s %-28s %-12s %-12.2e %d/%d%n", kind, summary(wall),
                    summary(cpu), minIt + "-" + maxIt, maxGap, converged, repetitions));
        }
        return out.toString();
    }

    /** A random distribution: each cell nonzero with probability {@code density}, weight uniform in (0,1). */
    static JointDistribution random(int n1, int n2, int ny, double density, SplittableRandom rng) {
        double[] w = new double[n1 * n2 * ny];
        boolean any = false;
        for (int i = 0; i < w.length; i++) {
            if (density >= 1.0 || rng.nextDouble() < density) {
                w[i] = rng.nextDouble();
                any |= w[i] > 0;
            }
        }
        if (!any) {
            w[0] = 1.0;
        }
        return JointDistribution.fromFlat(n1, n2, ny, w);
    }

    private static String summary(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        double median = s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
        return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", median, s[0], s[s.length - 1]);
    }

    private static long cpuNanos() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        return mx.isCurrentThreadCpuTimeSupported() ? mx.getCurrentThreadCpuTime() : System.nanoTime();
    }
}
