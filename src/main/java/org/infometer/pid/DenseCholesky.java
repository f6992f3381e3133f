package org.infometer.pid;

/**
 * In-place Cholesky factorisation A = L L^T of a symmetric positive definite matrix held as a full
 * row-major {@code n x n} array (only the lower triangle is read and written), plus the two triangular solves.
 *
 * <p>Usage: {@code if (DenseCholesky.factor(a, n, work)) DenseCholesky.solve(a, n, rhs);}
 *
 * <p>Blocked right-looking: the trailing update, which is almost all of the work, runs as row-wise
 * multiply-adds against a transposed copy of the panel so that the JIT can vectorise the inner loop and the
 * panel stays in cache. Four panel columns are applied per pass over a row, which quarters the loads and
 * stores of the row.
 */
final class DenseCholesky {

    static final int BLOCK = 64;

    private DenseCholesky() {
    }

    /** Scratch the size {@link #factor} needs: {@code BLOCK * n} doubles. */
    static double[] workspace(int n) {
        return new double[BLOCK * Math.max(n, 1)];
    }

    /** Pivot given to a direction judged numerically singular: its solution component becomes ~0. */
    static final double HUGE_PIVOT = 1e64;

    /**
     * Factors {@code a} in place. Returns false (leaving {@code a} partly overwritten) when a pivot is not
     * positive or not finite, i.e. the matrix is not numerically positive definite.
     */
    static boolean factor(double[] a, int n, double[] work) {
        return factor(a, n, work, 0.0) >= 0;
    }

    /**
     * Factors {@code a} in place; a pivot that falls to {@code relTol} times its original diagonal entry or
     * below (including a negative one from cancellation) is replaced by {@link #HUGE_PIVOT}, which drops that
     * direction from the solution, as interior-point codes do with their near-singular late normal equations.
     * With {@code relTol == 0} such a pivot fails the factorisation instead.
     *
     * @return the number of dropped directions, or -1 on failure (non-finite entries, or a bad pivot with
     *         {@code relTol == 0})
     */
    static int factor(double[] a, int n, double[] work, double relTol) {
        double[] diag = new double[n];
        for (int i = 0; i < n; i++) {
            diag[i] = a[i * n + i];
            if (!Double.isFinite(diag[i])) {
                return -1;
            }
        }
        int dropped = 0;
        for (int k0 = 0; k0 < n; k0 += BLOCK) {
            int k1 = Math.min(n, k0 + BLOCK);
            int kb = k1 - k0;
            // Diagonal block and the panel below it: column-by-column within the block.
            for (int j = k0; j < k1; j++) {
                int rj = j * n;
                double d = a[rj + j];
                for (int k = k0; k < j; k++) {
                    d -= a[rj + k] * a[rj + k];
                }
                double ljj;
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    return -1;
                } else if (d > relTol * diag[j] && d > 0) {
                    ljj = Math.sqrt(d);
                } else if (relTol > 0) {
                    ljj = HUGE_PIVOT;
                    dropped++;
                } else {
                    return -1;
                }
                a[rj + j] = ljj;
                double inv = 1.0 / ljj;
                for (int i = j + 1; i < n; i++) {
                    int ri = i * n;
                    double s = a[ri + j];
                    for (int k = k0; k < j; k++) {
                        s -= a[ri + k] * a[rj + k];
                    }
                    a[ri + j] = s * inv;
                }
            }
            if (k1 >= n) {
                break;
            }
            // Transposed panel: work[(k - k0) * n + i] = L[i][k] for rows i >= k1.
            for (int i = k1; i < n; i++) {
                int ri = i * n;
                for (int k = k0; k < k1; k++) {
                    work[(k - k0) * n + i] = a[ri + k];
                }
            }
            // Trailing update A[i][k1..i] -= sum_k L[i][k] * L[j][k].
            for (int i = k1; i < n; i++) {
                int ri = i * n;
                int len = i - k1 + 1;
                int k = 0;
                for (; k + 4 <= kb; k += 4) {
                    double l0 = a[ri + k0 + k];
                    double l1 = a[ri + k0 + k + 1];
                    double l2 = a[ri + k0 + k + 2];
                    double l3 = a[ri + k0 + k + 3];
                    int p0 = k * n + k1;
                    int p1 = p0 + n;
                    int p2 = p1 + n;
                    int p3 = p2 + n;
                    axpy4(a, ri + k1, work, p0, p1, p2, p3, l0, l1, l2, l3, len);
                }
                for (; k < kb; k++) {
                    double l0 = a[ri + k0 + k];
                    int p0 = k * n + k1;
                    int off = ri + k1;
                    for (int j = 0; j < len; j++) {
                        a[off + j] -= l0 * work[p0 + j];
                    }
                }
            }
        }
        return dropped;
    }

    private static void axpy4(double[] a, int off, double[] w, int p0, int p1, int p2, int p3,
                              double l0, double l1, double l2, double l3, int len) {
        for (int j = 0; j < len; j++) {
            a[off + j] -= l0 * w[p0 + j] + l1 * w[p1 + j] + l2 * w[p2 + j] + l3 * w[p3 + j];
        }
    }

    /**
     * Lower triangle of {@code m} ({@code n x n}) minus L L^T, with L an {@code n x k} row-major matrix: the
     * Schur-complement update of a block elimination. Same panel scheme as the factorisation; rows of L that
     * are zero across a four-column group are skipped, which pays off for sparse supports.
     */
    static void subtractGram(double[] m, int n, double[] l, int k) {
        double[] panel = new double[BLOCK * Math.max(n, 1)];
        for (int k0 = 0; k0 < k; k0 += BLOCK) {
            int k1 = Math.min(k, k0 + BLOCK);
            int kb = k1 - k0;
            for (int i = 0; i < n; i++) {
                int ri = i * k;
                for (int kk = 0; kk < kb; kk++) {
                    panel[kk * n + i] = l[ri + k0 + kk];
                }
            }
            for (int i = 0; i < n; i++) {
                int ri = i * k + k0;
                int mi = i * n;
                int len = i + 1;
                int kk = 0;
                for (; kk + 4 <= kb; kk += 4) {
                    double l0 = l[ri + kk];
                    double l1 = l[ri + kk + 1];
                    double l2 = l[ri + kk + 2];
                    double l3 = l[ri + kk + 3];
                    if (l0 == 0 && l1 == 0 && l2 == 0 && l3 == 0) {
                        continue;
                    }
                    int p0 = kk * n;
                    axpy4(m, mi, panel, p0, p0 + n, p0 + 2 * n, p0 + 3 * n, l0, l1, l2, l3, len);
                }
                for (; kk < kb; kk++) {
                    double l0 = l[ri + kk];
                    if (l0 == 0) {
                        continue;
                    }
                    int p0 = kk * n;
                    for (int j = 0; j < len; j++) {
                        m[mi + j] -= l0 * panel[p0 + j];
                    }
                }
            }
        }
    }

    /** Solves L y = b in place (forward substitution only), with L from {@link #factor}. */
    static void forward(double[] l, int lOff, int n, double[] b, int bOff) {
        for (int i = 0; i < n; i++) {
            int ri = lOff + i * n;
            double s = b[bOff + i];
            for (int k = 0; k < i; k++) {
                s -= l[ri + k] * b[bOff + k];
            }
            b[bOff + i] = s / l[ri + i];
        }
    }

    /** Solves L^T x = y in place (back substitution only), with L from {@link #factor}. */
    static void backward(double[] l, int lOff, int n, double[] b, int bOff) {
        for (int i = n - 1; i >= 0; i--) {
            double xi = b[bOff + i] / l[lOff + i * n + i];
            b[bOff + i] = xi;
            int ri = lOff + i * n;
            for (int k = 0; k < i; k++) {
                b[bOff + k] -= l[ri + k] * xi;
            }
        }
    }

    /** Solves L L^T x = b in place ({@code b} becomes x), with L from {@link #factor}. */
    static void solve(double[] l, int n, double[] b) {
        for (int i = 0; i < n; i++) {
            int ri = i * n;
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[ri + k] * b[k];
            }
            b[i] = s / l[ri + i];
        }
        for (int i = n - 1; i >= 0; i--) {
            double xi = b[i] / l[i * n + i];
            b[i] = xi;
            // Column-oriented back substitution keeps the access to L row-wise (contiguous).
            int ri = i * n;
            for (int k = 0; k < i; k++) {
                b[k] -= l[ri + k] * xi;
            }
        }
    }
}
