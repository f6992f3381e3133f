package org.infometer.correlate.nuscenes;

/**
 * The few numpy operations the devkit's arithmetic rests on, with numpy's semantics (and, where it is cheap,
 * its order of floating-point operations, so that results agree to the last bit as often as possible).
 */
final class NumpyMath {

    private NumpyMath() {
    }

    /** {@code np.linspace(0, 1, n)}: i * (1 / (n - 1)), with the last point set to exactly 1. */
    static double[] linspace01(int n) {
        double step = 1.0 / (n - 1);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = i * step;
        }
        v[n - 1] = 1.0;
        return v;
    }

    /**
     * {@code np.interp(x, xp, fp, left, right)} for non-decreasing xp: below xp[0] gives {@code left}, above
     * the last gives {@code right}; otherwise j is the last index with xp[j] &lt;= x, so a run of repeated xp
     * values answers with its last entry, and between runs the line joins that entry to the next run's first.
     */
    static double[] interp(double[] x, double[] xp, double[] fp, double left, double right) {
        int n = xp.length;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            if (v > xp[n - 1]) {
                out[i] = right;
            } else if (v < xp[0]) {
                out[i] = left;
            } else {
                int j = lastAtMost(xp, v);
                if (j == n - 1 || xp[j] == v) {
                    out[i] = fp[j];
                } else {
                    double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
                    out[i] = slope * (v - xp[j]) + fp[j];
                }
            }
        }
        return out;
    }

    /** Last index j with a[j] &lt;= v, given a[0] &lt;= v. */
    private static int lastAtMost(double[] a, double v) {
        int lo = 0;
        int hi = a.length; // first index with a[idx] > v lies in (lo, hi]
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo - 1;
    }

    /** numpy's float64 add-reduction: pairwise, with eight running partial sums for blocks up to 128. */
    static double sum(double[] a, int from, int to) {
        return 0.0 + pairwise(a, from, to - from);
    }

    private static double pairwise(double[] a, int from, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        if (n <= 128) {
            double[] r = new double[8];
            System.arraycopy(a, from, r, 0, 8);
            int i = 8;
            for (; i < n - (n % 8); i += 8) {
                for (int k = 0; k < 8; k++) {
                    r[k] += a[from + i + k];
                }
            }
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return pairwise(a, from, n2) + pairwise(a, from + n2, n - n2);
    }

    /** {@code np.mean(a[from:to])}; NaN when empty, as numpy (which also warns). */
    static double mean(double[] a, int from, int to) {
        return sum(a, from, to) / (to - from);
    }

    static double mean(double[] a) {
        return mean(a, 0, a.length);
    }

    /** {@code np.nanmean}: NaNs become 0 in the sum and drop out of the count; NaN when all are NaN. */
    static double nanmean(double[] a) {
        double[] z = new double[a.length];
        int count = 0;
        for (int i = 0; i < a.length; i++) {
            if (!Double.isNaN(a[i])) {
                z[i] = a[i];
                count++;
            }
        }
        return sum(z, 0, z.length) / count;
    }

    /**
     * The devkit's {@code cummean}: running mean ignoring NaNs, 0 where no finite value has been seen yet, and
     * all ones when every value is NaN.
     */
    static double[] cummean(double[] x) {
        double[] out = new double[x.length];
        boolean allNan = true;
        for (double v : x) {
            if (!Double.isNaN(v)) {
                allNan = false;
                break;
            }
        }
        if (allNan) {
            java.util.Arrays.fill(out, 1.0);
            return out;
        }
        double s = 0;
        long count = 0;
        for (int i = 0; i < x.length; i++) {
            if (!Double.isNaN(x[i])) {
                s += x[i];
                count++;
            }
            out[i] = count != 0 ? s / count : 0.0;
        }
        return out;
    }

    /** Python's float {@code a % p}: the result takes the sign of p. */
    static double pyMod(double a, double p) {
        double m = a % p;
        if (m != 0) {
            if ((p < 0) != (m < 0)) {
                m += p;
            }
        } else {
            m = Math.copySign(0.0, p);
        }
        return m;
    }

    static double[] reversed(double[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[a.length - 1 - i];
        }
        return r;
    }
}
