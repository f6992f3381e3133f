package org.infometer.pid;

import dev.ludovic.netlib.blas.BLAS;
import java.util.Arrays;
import org.infometer.estimate.Blas;

/**
 * The Newton system of the dual interior-point method: A K A^T dν = rhs, where A maps cells to their (a,y)
 * and (b,y) marginals and K is, per pair, the Hessian of the pair's log-barrier term (diagonal plus rank one).
 * {@link #factor} builds a block Cholesky factorisation of it; {@link #solve} runs preconditioned conjugate
 * gradients on the exact matrix-free operator, so the factorisation need only be a good preconditioner.
 */
final class NewtonSystem {

    /** Relative pivot size below which a direction of the Newton matrix is dropped (huge pivot). */
    private static final double PIVOT_TOLERANCE = 1e-14;
    /** Relative residual at which conjugate-gradient refinement of a Newton solve stops. */
    private static final double PCG_TOLERANCE = 1e-13;
    private static final int PCG_MAX_ITERATIONS = 50;
    /** Conjugate gradients stop after this many iterations without halving the best residual. */
    private static final int PCG_STAGNATION = 4;
    /** Pairs contributing s * max(1, 1/τ) below this fraction of the largest mass are left out of the factorisation. */
    private static final double SKIP_RELATIVE = 1e-9;

    private final int na;
    private final int nb;
    private final int ny;
    private final double[] pa;
    private final boolean[] pairActive;
    private final int[] kIdx;
    private final int mK;
    private final int[] eIdx;
    private final int[] eList;
    private final int mE;

    /** Per pair and cell: w = s softmax; per pair g = (1/τ - 1)/s, so K_c = diag(w) + g w w^T. */
    private final double[] w;
    private final double[] g;
    private final boolean[] inFactor;
    /** Cholesky factors of the a-blocks, the coupling block L_KE and the factor of its Schur complement M. */
    private final double[] lE;
    private final double[] lKE;
    private final double[] m;
    private final double[] cholWork;
    private final double[] uE;
    private final double[] uEc;
    private final double[] kVec;
    private final double[] tmp;
    private final double[] pcgX;
    private final double[] pcgR;
    private final double[] pcgZ;
    private final double[] pcgP;
    private final double[] pcgSp;
    private final double[] pcgBest;
    private long pcgIterations;
    private final BLAS blas = Blas.blas();

    NewtonSystem(PairLayout layout) {
        na = layout.na;
        nb = layout.nb;
        ny = layout.ny;
        pa = layout.pa;
        pairActive = layout.pairActive;
        kIdx = layout.kIdx;
        mK = layout.mK;
        eIdx = layout.eIdx;
        eList = layout.eList;
        mE = layout.mE;
        w = new double[layout.cells()];
        g = new double[layout.pairs()];
        inFactor = new boolean[layout.pairs()];
        lE = new double[na * ny * ny];
        lKE = new double[mK * mE];
        m = new double[mK * mK];
        cholWork = DenseCholesky.workspace(mK);
        uE = new double[na * ny];
        uEc = new double[mE];
        kVec = new double[mK];
        tmp = new double[ny];
        int len = (na + nb) * ny;
        pcgX = new double[len];
        pcgR = new double[len];
        pcgZ = new double[len];
        pcgP = new double[len];
        pcgSp = new double[len];
        pcgBest = new double[len];
    }

    /** Conjugate-gradient iterations run so far, over all solves. */
    long pcgIterations() {
        return pcgIterations;
    }

    /**
     * Factors the Newton matrix S = A K A^T, where per pair K_c = s (diag r - r r^T) + (s/τ) r r^T
     * = diag(w) + g w w^T with w = s r, g = (1/τ - 1)/s and r = softmax_c. Ordered a-side first, S is
     * [[S_EE, S_EK], [S_KE, S_KK]] with S_EE block diagonal (one |Y| x |Y| block per value of a), so its
     * Cholesky factor is [[L_EE, 0], [L_KE, L_M]] with L_KE = S_KE L_EE^{-T} and L_M the factor of
     * M = S_KK - L_KE L_KE^T. This is exactly the arithmetic of a dense Cholesky of S without the zero
     * blocks; forming M through explicit inverses instead loses all accuracy once s/τ reaches 1e10 or so.
     */
    boolean factor(double[] s, double[] tau, double[] soft) {
        for (int c = 0; c < na * nb; c++) {
            int off = c * ny;
            if (!pairActive[c]) {
                g[c] = 0;
                for (int y = 0; y < ny; y++) {
                    w[off + y] = 0;
                }
                continue;
            }
            double sc = s[c];
            for (int y = 0; y < ny; y++) {
                w[off + y] = sc * soft[off + y];
            }
            g[c] = (1.0 / tau[c] - 1.0) / sc;
            if (!Double.isFinite(g[c])) {
                return false;
            }
        }
        // Pairs whose whole contribution has become negligible (mass s -> 0 on the way to an optimum that
        // leaves them empty) are left out of the factorisation: it only preconditions conjugate gradients
        // on the exact operator, and skipping them leaves zero blocks that the Gram update passes over.
        double sMax = 0;
        for (int c = 0; c < na * nb; c++) {
            if (pairActive[c]) {
                sMax = Math.max(sMax, s[c]);
            }
        }
        for (int c = 0; c < na * nb; c++) {
            inFactor[c] = pairActive[c] && s[c] * Math.max(1.0, 1.0 / tau[c]) >= SKIP_RELATIVE * sMax;
        }
        Arrays.fill(lKE, 0);
        Arrays.fill(m, 0);
        double[] block = new double[ny * ny];
        double[] linv = new double[ny * ny];
        double[] col = new double[ny];
        double[] t = new double[ny];
        double[] work = DenseCholesky.workspace(ny);
        for (int a = 0; a < na; a++) {
            Arrays.fill(block, 0);
            for (int b = 0; b < nb; b++) {
                int c = a * nb + b;
                if (inFactor[c]) {
                    addPairBlock(block, c);
                }
            }
            for (int y = 0; y < ny; y++) {
                if (!(pa[a * ny + y] > 0)) {
                    block[y * ny + y] = 1.0; // no constraint here: decoupled, its multiplier stays 0
                }
            }
            if (DenseCholesky.factor(block, ny, work, PIVOT_TOLERANCE) < 0) {
                return false;
            }
            int lo = a * ny * ny;
            System.arraycopy(block, 0, lE, lo, ny * ny);
            for (int j = 0; j < ny; j++) {
                Arrays.fill(col, 0);
                col[j] = 1;
                DenseCholesky.forward(lE, lo, ny, col, 0);
                for (int i = 0; i < ny; i++) {
                    linv[i * ny + j] = col[i];
                }
            }
            for (int b = 0; b < nb; b++) {
                int c = a * nb + b;
                if (!inFactor[c]) {
                    continue;
                }
                int off = c * ny;
                for (int i = 0; i < ny; i++) {
                    double x = 0;
                    for (int j = 0; j <= i; j++) {
                        x += linv[i * ny + j] * w[off + j];
                    }
                    t[i] = x;
                }
                double gc = g[c];
                // Row (b,y) of L_KE on a's columns: L_a^{-1} K_c[y,:]^T = w_y (L_a^{-1} e_y + g L_a^{-1} w).
                for (int y = 0; y < ny; y++) {
                    int k = kIdx[b * ny + y];
                    double wy = w[off + y];
                    if (k < 0 || wy == 0) {
                        continue;
                    }
                    int row = k * mE;
                    for (int i = 0; i < ny; i++) {
                        int e = eIdx[a * ny + i];
                        if (e >= 0) {
                            lKE[row + e] = wy * (linv[i * ny + y] + gc * t[i]);
                        }
                    }
                    // S_KK: the pair's block, on the kept rows and columns (lower triangle).
                    for (int yy = 0; yy < ny; yy++) {
                        int k2 = kIdx[b * ny + yy];
                        if (k2 < 0 || k2 > k) {
                            continue;
                        }
                        double kv = gc * wy * w[off + yy] + (yy == y ? wy : 0);
                        m[k * mK + k2] += kv;
                    }
                }
            }
        }
        DenseCholesky.subtractGram(m, mK, lKE, mE);
        return DenseCholesky.factor(m, mK, cholWork, PIVOT_TOLERANCE) >= 0;
    }

    private void addPairBlock(double[] block, int c) {
        int off = c * ny;
        double gc = g[c];
        for (int y = 0; y < ny; y++) {
            double wy = w[off + y];
            if (wy == 0) {
                continue;
            }
            block[y * ny + y] += wy;
            double gw = gc * wy;
            int r = y * ny;
            for (int yy = 0; yy < ny; yy++) {
                block[r + yy] += gw * w[off + yy];
            }
        }
    }

    /**
     * Solves A K A^T (dλ, dμ) = (inE, inK): conjugate gradients on the exact matrix-free operator,
     * preconditioned by the Cholesky factorisation, which usually makes the first solve final but repairs
     * it when rounding or dropped pivots have cost accuracy late in the run.
     */
    void solve(double[] inE, double[] inK, double[] dlam, double[] dmu) {
        int ne = na * ny;
        int nk = nb * ny;
        double[] x = pcgX;
        double[] r = pcgR;
        double[] z = pcgZ;
        double[] pDir = pcgP;
        double[] sp = pcgSp;
        for (int i = 0; i < ne; i++) {
            r[i] = pa[i] > 0 ? inE[i] : 0;
        }
        for (int i = 0; i < nk; i++) {
            r[ne + i] = kIdx[i] >= 0 ? inK[i] : 0;
        }
        double rhsNorm = norm(r);
        precondition(r, x);
        applyNormal(x, sp);
        for (int i = 0; i < r.length; i++) {
            r[i] -= sp[i];
        }
        double res = norm(r);
        int it = 0;
        if (res > PCG_TOLERANCE * rhsNorm) {
            // Late in a run the attainable residual is set by rounding in the operator, far above the
            // tolerance; conjugate gradients then only wander. The best iterate is kept, and the loop ends
            // once the residual has not halved for a few iterations.
            double best = res;
            int sinceBest = 0;
            System.arraycopy(x, 0, pcgBest, 0, x.length);
            precondition(r, z);
            System.arraycopy(z, 0, pDir, 0, z.length);
            double rz = dot(r, z);
            for (; it < PCG_MAX_ITERATIONS && res > PCG_TOLERANCE * rhsNorm && rz > 0
                    && sinceBest < PCG_STAGNATION; it++) {
                applyNormal(pDir, sp);
                double pSp = dot(pDir, sp);
                if (!(pSp > 0)) {
                    break;
                }
                double alpha = rz / pSp;
                for (int i = 0; i < x.length; i++) {
                    x[i] += alpha * pDir[i];
                    r[i] -= alpha * sp[i];
                }
                res = norm(r);
                if (res < best) {
                    if (res < 0.5 * best) {
                        sinceBest = 0;
                    } else {
                        sinceBest++;
                    }
                    best = res;
                    System.arraycopy(x, 0, pcgBest, 0, x.length);
                } else {
                    sinceBest++;
                }
                precondition(r, z);
                double rzNew = dot(r, z);
                double beta = rzNew / rz;
                rz = rzNew;
                for (int i = 0; i < pDir.length; i++) {
                    pDir[i] = z[i] + beta * pDir[i];
                }
            }
            x = pcgBest;
        }
        pcgIterations += it;
        System.arraycopy(x, 0, dlam, 0, ne);
        System.arraycopy(x, ne, dmu, 0, nk);
    }

    private static double dot(double[] x, double[] y) {
        double t = 0;
        for (int i = 0; i < x.length; i++) {
            t += x[i] * y[i];
        }
        return t;
    }

    private static double norm(double[] x) {
        return Math.sqrt(dot(x, x));
    }

    /** out = A K A^T x, matrix-free, on the layout (λ entries, μ entries) with fixed entries kept at 0. */
    private void applyNormal(double[] x, double[] out) {
        int ne = na * ny;
        Arrays.fill(out, 0);
        for (int a = 0; a < na; a++) {
            for (int b = 0; b < nb; b++) {
                int c = a * nb + b;
                if (!pairActive[c]) {
                    continue;
                }
                int off = c * ny;
                double dotWv = 0;
                for (int y = 0; y < ny; y++) {
                    double vy = x[a * ny + y] + x[ne + b * ny + y];
                    tmp[y] = vy;
                    dotWv += w[off + y] * vy;
                }
                double gd = g[c] * dotWv;
                for (int y = 0; y < ny; y++) {
                    double t = w[off + y] * (tmp[y] + gd);
                    out[a * ny + y] += t;
                    out[ne + b * ny + y] += t;
                }
            }
        }
        for (int i = 0; i < ne; i++) {
            if (!(pa[i] > 0)) {
                out[i] = 0;
            }
        }
        for (int i = 0; i < nb * ny; i++) {
            if (kIdx[i] < 0) {
                out[ne + i] = 0;
            }
        }
    }

    /** out = S^{-1} in with the factorisation from {@link #buildSystem} (two block triangular solves). */
    private void precondition(double[] in, double[] out) {
        int ne = na * ny;
        for (int i = 0; i < ne; i++) {
            uE[i] = pa[i] > 0 ? in[i] : 0;
        }
        for (int a = 0; a < na; a++) {
            DenseCholesky.forward(lE, a * ny * ny, ny, uE, a * ny);
        }
        for (int e = 0; e < mE; e++) {
            uEc[e] = uE[eList[e]];
        }
        for (int i = 0; i < kIdx.length; i++) {
            int k = kIdx[i];
            if (k >= 0) {
                kVec[k] = in[ne + i];
            }
        }
        // Row-major L_KE (mK x mE) is the column-major mE x mK matrix L_KE^T.
        if (mE > 0 && mK > 0) {
            blas.dgemv("T", mE, mK, -1.0, lKE, mE, uEc, 1, 1.0, kVec, 1);
        }
        DenseCholesky.solve(m, mK, kVec);
        if (mE > 0 && mK > 0) {
            blas.dgemv("N", mE, mK, -1.0, lKE, mE, kVec, 1, 1.0, uEc, 1);
        }
        Arrays.fill(out, 0, ne, 0);
        for (int e = 0; e < mE; e++) {
            out[eList[e]] = uEc[e];
        }
        for (int a = 0; a < na; a++) {
            DenseCholesky.backward(lE, a * ny * ny, ny, out, a * ny);
        }
        for (int i = 0; i < ne; i++) {
            if (!(pa[i] > 0)) {
                out[i] = 0;
            }
        }
        for (int i = 0; i < kIdx.length; i++) {
            out[ne + i] = kIdx[i] >= 0 ? kVec[kIdx[i]] : 0;
        }
    }
}
