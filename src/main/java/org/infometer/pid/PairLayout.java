package org.infometer.pid;

/**
 * The support of one BROJA problem as the solver stores it: the sources renamed a (eliminated in the Newton
 * system) and b (kept side, the one with fewer active constraints), values of a, b and y with zero marginal
 * dropped, cells stored densely per pair at index (a * nb + b) * ny + y with a mask for the allowed ones, and
 * the index maps of the Newton system's two blocks of multipliers. Immutable.
 */
final class PairLayout {

    /** Largest dense matrix (entries) the factorisation may allocate: 2^27 doubles, 1 GiB. */
    private static final long MAX_DENSE_ENTRIES = 1L << 27;

    /** True when a is the input's X2 and b its X1. */
    final boolean swapped;
    final int na;
    final int nb;
    final int ny;
    /** Input index of each kept value of a, b and y. */
    final int[] aOrig;
    final int[] bOrig;
    final int[] yOrig;
    /** p(a,y) and p(b,y), row-major over the kept values. */
    final double[] pa;
    final double[] pb;
    /** Cells that can carry mass: p(a,y) > 0 and p(b,y) > 0. */
    final boolean[] allowed;
    /** Pairs with at least one allowed cell. */
    final boolean[] pairActive;
    final int nPairs;
    /** Per y, the b whose multiplier is fixed at zero (the implied constraint). */
    final int[] drop;
    /** Position of (b,y) among the kept-side unknowns, or -1 when fixed or without a constraint. */
    final int[] kIdx;
    final int mK;
    /** Position of (a,y) among the eliminated-side unknowns, or -1 without a constraint; and the inverse. */
    final int[] eIdx;
    final int[] eList;
    final int mE;

    PairLayout(JointDistribution p) {
        double[][] m1 = p.marginalX1Y();
        double[][] m2 = p.marginalX2Y();
        swapped = countPositive(m1) < countPositive(m2);
        double[][] ma = swapped ? m2 : m1;
        double[][] mb = swapped ? m1 : m2;
        yOrig = positiveIndices(p.marginalY());
        ny = yOrig.length;
        aOrig = positiveRows(ma);
        bOrig = positiveRows(mb);
        na = aOrig.length;
        nb = bOrig.length;
        pa = compact(ma, aOrig, yOrig);
        pb = compact(mb, bOrig, yOrig);

        allowed = new boolean[na * nb * ny];
        pairActive = new boolean[na * nb];
        int pairs = 0;
        for (int a = 0; a < na; a++) {
            for (int b = 0; b < nb; b++) {
                int c = a * nb + b;
                for (int y = 0; y < ny; y++) {
                    if (pa[a * ny + y] > 0 && pb[b * ny + y] > 0) {
                        allowed[c * ny + y] = true;
                        pairActive[c] = true;
                    }
                }
                if (pairActive[c]) {
                    pairs++;
                }
            }
        }
        nPairs = pairs;

        // Per y the two sides' constraints both sum to p(y), so one is implied; fixing the multiplier of
        // the kept side's largest to zero removes the matching flat direction of the dual.
        drop = new int[ny];
        for (int y = 0; y < ny; y++) {
            int best = -1;
            for (int b = 0; b < nb; b++) {
                if (pb[b * ny + y] > 0 && (best < 0 || pb[b * ny + y] > pb[best * ny + y])) {
                    best = b;
                }
            }
            drop[y] = best;
        }
        kIdx = new int[nb * ny];
        int k = 0;
        for (int b = 0; b < nb; b++) {
            for (int y = 0; y < ny; y++) {
                kIdx[b * ny + y] = (pb[b * ny + y] > 0 && drop[y] != b) ? k++ : -1;
            }
        }
        mK = k;
        eIdx = new int[na * ny];
        int e = 0;
        for (int i = 0; i < na * ny; i++) {
            eIdx[i] = pa[i] > 0 ? e++ : -1;
        }
        mE = e;
        eList = new int[mE];
        for (int i = 0; i < na * ny; i++) {
            if (eIdx[i] >= 0) {
                eList[eIdx[i]] = i;
            }
        }
        if ((long) mK * mE > MAX_DENSE_ENTRIES || (long) mK * mK > MAX_DENSE_ENTRIES) {
            throw new IllegalArgumentException("problem too large for the dense Newton factorisation: "
                    + mE + " x " + mK + " coupling entries (limit " + MAX_DENSE_ENTRIES
                    + "); use fewer clusters or target values");
        }
    }

    int cells() {
        return na * nb * ny;
    }

    int pairs() {
        return na * nb;
    }

    /** Marginals of x on the (a,y) and (b,y) constraints. */
    void marginals(double[] x, double[] onA, double[] onB) {
        java.util.Arrays.fill(onA, 0);
        java.util.Arrays.fill(onB, 0);
        for (int a = 0; a < na; a++) {
            for (int b = 0; b < nb; b++) {
                int off = (a * nb + b) * ny;
                for (int y = 0; y < ny; y++) {
                    onA[a * ny + y] += x[off + y];
                    onB[b * ny + y] += x[off + y];
                }
            }
        }
    }

    /** Largest absolute deviation of x's marginals from p's. */
    double constraintResidual(double[] x) {
        double[] e = new double[na * ny];
        double[] k = new double[nb * ny];
        marginals(x, e, k);
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            worst = Math.max(worst, Math.abs(e[i] - pa[i]));
        }
        for (int i = 0; i < k.length; i++) {
            worst = Math.max(worst, Math.abs(k[i] - pb[i]));
        }
        return worst;
    }

    /** f(x) = sum x ln(x / x(a,b)) in nats. */
    double objective(double[] x) {
        double f = 0;
        for (int c = 0; c < na * nb; c++) {
            if (!pairActive[c]) {
                continue;
            }
            int off = c * ny;
            double sc = 0;
            for (int y = 0; y < ny; y++) {
                sc += x[off + y];
            }
            for (int y = 0; y < ny; y++) {
                double xv = x[off + y];
                if (xv > 0) {
                    f += xv * Math.log(xv / sc);
                }
            }
        }
        return f;
    }

    /** The stored cells of x put back into a distribution of the input's sizes and variable order. */
    JointDistribution expand(JointDistribution p, double[] x) {
        int n1 = p.sizeX1();
        int n2 = p.sizeX2();
        int nyAll = p.sizeY();
        double[] flat = new double[n1 * n2 * nyAll];
        for (int a = 0; a < na; a++) {
            for (int b = 0; b < nb; b++) {
                int off = (a * nb + b) * ny;
                int x1 = swapped ? bOrig[b] : aOrig[a];
                int x2 = swapped ? aOrig[a] : bOrig[b];
                for (int y = 0; y < ny; y++) {
                    if (allowed[off + y]) {
                        flat[(x1 * n2 + x2) * nyAll + yOrig[y]] = x[off + y];
                    }
                }
            }
        }
        return JointDistribution.fromFlat(n1, n2, nyAll, flat);
    }

    private static int countPositive(double[][] mat) {
        int k = 0;
        for (double[] row : mat) {
            for (double x : row) {
                if (x > 0) {
                    k++;
                }
            }
        }
        return k;
    }

    private static int[] positiveIndices(double[] vec) {
        int k = 0;
        for (double x : vec) {
            if (x > 0) {
                k++;
            }
        }
        int[] idx = new int[k];
        k = 0;
        for (int i = 0; i < vec.length; i++) {
            if (vec[i] > 0) {
                idx[k++] = i;
            }
        }
        return idx;
    }

    private static int[] positiveRows(double[][] mat) {
        double[] sums = new double[mat.length];
        for (int i = 0; i < mat.length; i++) {
            for (double x : mat[i]) {
                sums[i] += x;
            }
        }
        return positiveIndices(sums);
    }

    private static double[] compact(double[][] mat, int[] rows, int[] cols) {
        double[] out = new double[rows.length * cols.length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < cols.length; j++) {
                out[i * cols.length + j] = mat[rows[i]][cols[j]];
            }
        }
        return out;
    }
}
