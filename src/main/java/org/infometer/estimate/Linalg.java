package org.infometer.estimate;

import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

/** Small dense linear algebra on column-major double arrays, through the BLAS/LAPACK {@link Blas} chose. */
public final class Linalg {

    static {
        // The pure-Java LAPACK fallback (f2j) computes its machine constants (DLAMCH) lazily, in unsynchronised
        // static fields, on first use. Fitters call LAPACK from parallel streams, so two first calls at once can
        // leave those constants wrong (a zero safe minimum), and DLASCL inside DSYEVD then loops forever.
        // Computing them here, once, under class initialisation, makes every later call read-only on that state.
        Blas.lapack().dlamch("S");
    }

    private Linalg() {
    }

    /** Symmetric eigen-decomposition: eigenvalues ascending; {@code vectors} (column-major) receives them. */
    public static double[] symmetricEigen(double[] a, int n, double[] vectors) {
        requireFinite(a, "eigen-decomposition input");
        System.arraycopy(a, 0, vectors, 0, n * n);
        double[] w = new double[n];
        intW info = new intW(0);
        double[] work = new double[1];
        int[] iwork = new int[1];
        LAPACK lapack = Blas.lapack();
        lapack.dsyevd("V", "U", n, vectors, n, w, work, -1, iwork, -1, info);
        work = new double[(int) work[0]];
        iwork = new int[iwork[0]];
        lapack.dsyevd("V", "U", n, vectors, n, w, work, work.length, iwork, iwork.length, info);
        if (info.val != 0) {
            throw new ArithmeticException("Eigen-decomposition of a " + n + " x " + n + " matrix failed (info "
                    + info.val + ")");
        }
        return w;
    }

    /** Thin SVD of an m x n matrix: returns singular values (descending), fills u (m x k) and vt (k x n). */
    public static double[] svd(double[] a, int m, int n, double[] u, double[] vt) {
        requireFinite(a, "SVD input");
        int k = Math.min(m, n);
        double[] copy = a.clone();
        double[] s = new double[k];
        intW info = new intW(0);
        int[] iwork = new int[8 * k];
        double[] work = new double[1];
        LAPACK lapack = Blas.lapack();
        lapack.dgesdd("S", m, n, copy, m, s, u, m, vt, k, work, -1, iwork, info);
        work = new double[(int) work[0]];
        lapack.dgesdd("S", m, n, copy, m, s, u, m, vt, k, work, work.length, iwork, info);
        if (info.val != 0) {
            throw new ArithmeticException("SVD of a " + m + " x " + n + " matrix failed (info " + info.val + ")");
        }
        return s;
    }

    /** LAPACK loops forever on NaN input; fail fast instead. */
    static void requireFinite(double[] a, String what) {
        for (double v : a) {
            if (!Double.isFinite(v)) {
                throw new ArithmeticException("Non-finite value in " + what + " (" + v + ")");
            }
        }
    }

    /** C = op(A) op(B) for column-major matrices; op is transpose when the flag is set. */
    public static double[] multiply(double[] a, int aRows, int aCols, boolean transA,
                                    double[] b, int bRows, int bCols, boolean transB) {
        int m = transA ? aCols : aRows;
        int k = transA ? aRows : aCols;
        int kb = transB ? bCols : bRows;
        int n = transB ? bRows : bCols;
        if (k != kb) {
            throw new IllegalArgumentException("Inner dimensions differ: " + k + " vs " + kb);
        }
        double[] c = new double[m * n];
        Blas.blas().dgemm(transA ? "T" : "N", transB ? "T" : "N", m, n, k, 1.0, a, aRows, b, bRows,
                0.0, c, m);
        return c;
    }

    /** The sub-matrix rows [r0, r0+nr) x cols [c0, c0+nc) of a column-major matrix with {@code ld} rows. */
    public static double[] block(double[] a, int ld, int r0, int nr, int c0, int nc) {
        double[] out = new double[nr * nc];
        for (int j = 0; j < nc; j++) {
            System.arraycopy(a, (c0 + j) * ld + r0, out, j * nr, nr);
        }
        return out;
    }
}
