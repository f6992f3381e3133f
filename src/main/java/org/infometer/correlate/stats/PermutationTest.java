package org.infometer.correlate.stats;

/**
 * Two-sided permutation p-values for Pearson, Spearman and Kendall tau-b under the null of exchangeability
 * (y carries no information about x).
 *
 * <p>Usage: {@code PermutationTest.Result p = PermutationTest.test(method, x, y, 9_999, seed);} then
 * {@link Result#pValue()} and {@link Result#kind()}.
 *
 * <p>For n &lt;= {@value #EXACT_MAX_N} all n! orderings of y are enumerated and p is the fraction whose
 * |statistic| reaches the observed one (the identity ordering counts, so p &gt;= 1/n!). Above that, B seeded
 * random orderings give p = (b + 1) / (B + 1), which never reports 0 and keeps the test valid.
 *
 * <p>Each method is tested on a statistic that is a monotone function of its coefficient under permutation:
 * Pearson and Spearman on sum(dx * dy) of centred values or ranks (the norms do not change when y is
 * reordered), Kendall on the integer S = C - D (the tie terms of tau-b do not change either). Real-valued
 * statistics are compared with a relative tolerance so that orderings tying the observed value by symmetry
 * are not lost to rounding.
 */
public final class PermutationTest {

    /** Largest n tested exactly; 8! = 40,320 orderings. */
    public static final int EXACT_MAX_N = 8;

    private static final double RELATIVE_TOLERANCE = 1e-10;

    private PermutationTest() {
    }

    /**
     * @param pValue two-sided p-value, NaN when undefined
     * @param permutations orderings evaluated (n! when exact, B when Monte Carlo)
     * @param minAttainablePValue the smallest p this design can report: (orderings reaching the maximum
     *     |statistic|) / n! when exact, 1 / (B + 1) when Monte Carlo
     */
    public record Result(double pValue, PValueKind kind, long permutations, double minAttainablePValue) {

        static Result undefined() {
            return new Result(Double.NaN, PValueKind.UNDEFINED, 0, Double.NaN);
        }
    }

    public static Result test(CorrelationMethod method, double[] x, double[] y, int monteCarloPermutations,
            long seed) {
        Correlation.checkInput(x, y);
        if (Double.isNaN(Correlation.coefficient(method, x, y))) {
            return Result.undefined();
        }
        Statistic stat = statistic(method, x, y);
        int n = x.length;
        double observed = Math.abs(stat.value(identity(n)));
        double tol = stat.tolerance();
        if (n <= EXACT_MAX_N) {
            return exact(stat, n, observed, tol);
        }
        return monteCarlo(stat, n, observed, tol, monteCarloPermutations, seed);
    }

    private static Result exact(Statistic stat, int n, double observed, double tol) {
        int[] perm = identity(n);
        int[] c = new int[n];
        long total = 0;
        long atLeast = 0;
        double max = -1;
        long atMax = 0;
        // Heap's algorithm: every ordering exactly once, one swap between consecutive orderings.
        int i = 0;
        while (true) {
            double s = Math.abs(stat.value(perm));
            total++;
            if (s >= observed - tol) {
                atLeast++;
            }
            if (s > max + tol) {
                max = s;
                atMax = 1;
            } else if (s >= max - tol) {
                atMax++;
            }
            while (i < n && c[i] >= i) {
                c[i] = 0;
                i++;
            }
            if (i >= n) {
                break;
            }
            int j = (i % 2 == 0) ? 0 : c[i];
            int t = perm[j];
            perm[j] = perm[i];
            perm[i] = t;
            c[i]++;
            i = 0;
        }
        return new Result((double) atLeast / total, PValueKind.EXACT, total, (double) atMax / total);
    }

    private static Result monteCarlo(Statistic stat, int n, double observed, double tol, int b, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        int[] perm = identity(n);
        long atLeast = 0;
        for (int k = 0; k < b; k++) {
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            if (Math.abs(stat.value(perm)) >= observed - tol) {
                atLeast++;
            }
        }
        return new Result((atLeast + 1.0) / (b + 1.0), PValueKind.MONTE_CARLO, b, 1.0 / (b + 1.0));
    }

    private static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        return p;
    }

    /** A test statistic of the pairing (x_i, y_perm[i]). */
    private interface Statistic {
        double value(int[] perm);

        double tolerance();
    }

    private static Statistic statistic(CorrelationMethod method, double[] x, double[] y) {
        return switch (method) {
            case PEARSON -> crossProduct(x, y);
            case SPEARMAN -> crossProduct(Correlation.averageRanks(x), Correlation.averageRanks(y));
            case KENDALL_TAU_B -> kendall(x, y);
        };
    }

    private static Statistic crossProduct(double[] x, double[] y) {
        double[] dx = Correlation.centred(x);
        double[] dy = Correlation.centred(y);
        double nx = 0;
        double ny = 0;
        for (int i = 0; i < dx.length; i++) {
            nx += dx[i] * dx[i];
            ny += dy[i] * dy[i];
        }
        // |sum dx*dy| <= |dx||dy|, so this tolerance is relative to the largest attainable value.
        double tol = RELATIVE_TOLERANCE * Math.sqrt(nx * ny);
        return new Statistic() {
            @Override
            public double value(int[] perm) {
                double s = 0;
                for (int i = 0; i < dx.length; i++) {
                    s += dx[i] * dy[perm[i]];
                }
                return s;
            }

            @Override
            public double tolerance() {
                return tol;
            }
        };
    }

    private static Statistic kendall(double[] x, double[] y) {
        double[] yp = new double[y.length];
        return new Statistic() {
            @Override
            public double value(int[] perm) {
                for (int i = 0; i < yp.length; i++) {
                    yp[i] = y[perm[i]];
                }
                return Correlation.kendallS(x, yp);
            }

            @Override
            public double tolerance() {
                return 0.5; // S is an integer
            }
        };
    }
}
