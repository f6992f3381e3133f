package org.infometer.pid;

import dev.ludovic.netlib.blas.BLAS;
import org.infometer.estimate.Blas;

/**
 * In-place Cholesky factorisation A = L L^T of a symmetric positive definite matrix held as a full
 * row-major {@code n x n} array (the lower triangle is read and receives L; the strict upper triangle is
 * scratch and left undefined), plus the two triangular solves.
 *
 * <p>Usage: {@code if (DenseCholesky.factor(a, n, work)) DenseCholesky.solve(a, n, rhs);}
 *
 * <p>Blocked right-looking. Almost all the arithmetic is in the trailing updates and the Gram update, which
 * run as {@code dgemm} of the BLAS the job chose ({@link Blas}: the Vector-API Java BLAS unless an optimised
 * native one is present); the hand-written loops they replaced ran at about a quarter of its speed. The
 * panel below each diagonal block is solved column by column on a transposed copy, so its inner loop is a
 * long contiguous multiply-add.
 */
final class DenseCholesky {

    static final int BLOCK = 64;

    /** Columns of the output per {@code dgemm} call when only a lower triangle is wanted. */
    private static final int STRIP = 128;

    private DenseCholesky() {
    }

    /** Scratch the size {@link #factor} needs: {@code 2 * BLOCK * n} doubles. */
    static double[] workspace(int n) {
        return new double[2 * BLOCK * Math.max(n, 1)];
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
        BLAS blas = Blas.blas();
        int half = BLOCK * Math.max(n, 1);
        int dropped = 0;
        for (int k0 = 0; k0 < n; k0 += BLOCK) {
            int k1 = Math.min(n, k0 + BLOCK);
            int kb = k1 - k0;
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
                for (int i = j + 1; i < k1; i++) {
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
            int rows = n - k1;
            // Panel below the block, transposed: work[kk * rows + r] = A[k1 + r][k0 + kk], then L21 = A21 L11^-T
            // one column at a time.
            for (int r = 0; r < rows; r++) {
                int ri = (k1 + r) * n + k0;
                for (int kk = 0; kk < kb; kk++) {
                    work[kk * rows + r] = a[ri + kk];
                }
            }
            for (int jj = 0; jj < kb; jj++) {
                int rj = (k0 + jj) * n + k0;
                int pj = jj * rows;
                for (int kk = 0; kk < jj; kk++) {
                    double l = a[rj + kk];
                    if (l != 0) {
                        int pk = kk * rows;
                        for (int r = 0; r < rows; r++) {
                            work[pj + r] -= l * work[pk + r];
                        }
                    }
                }
                double inv = 1.0 / a[rj + jj];
                for (int r = 0; r < rows; r++) {
                    work[pj + r] *= inv;
                }
            }
            // Back into A, and row-major into the second half of work for the BLAS (column-major kb x rows).
            for (int r = 0; r < rows; r++) {
                int ri = (k1 + r) * n + k0;
                int pr = half + r * kb;
                for (int kk = 0; kk < kb; kk++) {
                    double v = work[kk * rows + r];
                    a[ri + kk] = v;
                    work[pr + kk] = v;
                }
            }
            // Trailing update A[i][j] -= L21[i] . L21[j], strip by strip of rows i.
            for (int i0 = k1; i0 < n; i0 += STRIP) {
                int i1 = Math.min(n, i0 + STRIP);
                blas.dgemm("T", "N", i1 - k1, i1 - i0, kb, -1.0, work, half, kb, work, half + (i0 - k1) * kb, kb,
                        1.0, a, i0 * n + k1, n);
            }
        }
        return dropped;
    }

    /**
     * Lower triangle of {@code m} ({@code n x n}) minus L L^T, with L an {@code n x k} row-major matrix: the
     * Schur-complement update of a block elimination. The strict upper triangle of {@code m} is scratch.
     */
    static void subtractGram(double[] m, int n, double[] l, int k) {
        if (k == 0) {
            return;
        }
        BLAS blas = Blas.blas();
        // Row-major L is column-major L^T (k x n), so rows i0..i1 of M are C = -L[0..i1] L[i0..i1]^T, "T","N".
        for (int i0 = 0; i0 < n; i0 += STRIP) {
            int i1 = Math.min(n, i0 + STRIP);
            blas.dgemm("T", "N", i1, i1 - i0, k, -1.0, l, 0, k, l, i0 * k, k, 1.0, m, i0 * n, n);
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
