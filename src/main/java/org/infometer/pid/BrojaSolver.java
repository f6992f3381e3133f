package org.infometer.pid;

import java.util.Arrays;

/**
 * Exact BROJA partial information decomposition (Bertschinger, Rauh, Olbrich, Jost, Ay 2014) of a discrete
 * joint distribution, with a certified duality gap.
 *
 * <p>Usage:
 * <pre>{@code
 * BrojaSolver solver = BrojaSolver.withDefaults();          // or new BrojaSolver(new Options(...))
 * PidResult r = solver.solve(JointDistribution.fromCounts(counts));
 * if (!r.converged()) log(r.message());                      // numbers are then not final
 * // solver.solveWithOptimum(p).optimum() also returns the optimal coupling q*
 * }</pre>
 * A solver holds only its options: one instance may be shared by threads.
 *
 * <h2>Problem</h2>
 * q* = argmin over Δp of I_q(X1,X2;Y), where Δp holds the q >= 0 with q(x1,y) = p(x1,y) and
 * q(x2,y) = p(x2,y); only cells with p(x1,y) > 0 and p(x2,y) > 0 can carry mass. Since the Y-marginal is fixed,
 * this is min f(q) = sum q(x1,x2,y) ln(q(x1,x2,y) / q(x1,x2)) = -H_q(Y|X1,X2) (nats), a convex function that is
 * positively homogeneous of degree one on each pair (x1,x2).
 *
 * <h2>Algorithm</h2>
 * A primal-dual interior-point method with Mehrotra's predictor-corrector, started from the strictly
 * positive feasible point q0 = p(x1,y) p(x2,y) / p(y). Boundary optima (AND, OR, ...) are reached at the
 * interior-point rate rather than the O(1/k) of alternating projections, because Newton steps see the exact
 * curvature diag(1/q) - 1 1^T / q(x1,x2) of the objective.
 *
 * <p>The Newton system is solved exactly by structure: the Hessian plus barrier term is block diagonal over
 * pairs (x1,x2), each block a diagonal plus a rank-one term, inverted by Sherman-Morrison. The normal
 * equations on the multipliers of the constraints on one source (the side with more constraints) are block
 * diagonal per value of that source, with blocks of size |Y|, and are eliminated too. What remains is one
 * dense symmetric positive definite system on the other side's multipliers, of size about
 * min(n1, n2) * |Y| (one redundant constraint per y is dropped), factored by a blocked Cholesky. Forming it
 * uses the diagonal-plus-rank-one structure, so it costs O(n1 n2^2 |Y|^2) rather than O(n1 n2^2 |Y|^3).
 *
 * <h2>Certificate</h2>
 * For any multipliers (λ, μ), weak duality gives the lower bound
 * LB = sum λ(x1,y) p(x1,y) + sum μ(x2,y) p(x2,y) - max over allowed (x1,x2) of ln sum_y exp(λ(x1,y)+μ(x2,y))
 * on min f. The solver stops when f(q) - LB, converted to bits, is at most the tolerance. Because every
 * component (R, U1, U2, S) is an affine function of I_q(X1,X2;Y) with slope ±1, each is within the gap of
 * its exact value.
 */
public final class BrojaSolver {

    private static final double LN2 = Math.log(2.0);
    static boolean TRACE = Boolean.getBoolean("pid.trace");
    /** Relative pivot size below which a direction of the normal equations is dropped. */
    private static final double PIVOT_TOLERANCE = 1e-14;
    static double HOMOGENEOUS_REG = Double.parseDouble(System.getProperty("pid.reg", "1e-10"));

    static double maxAbs(double[] x) {
        double m = 0;
        for (double v : x) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /**
     * Solver settings.
     *
     * @param gapToleranceBits      stop once the certified duality gap is at most this (bits)
     * @param maxIterations         interior-point iteration limit
     * @param negativeToleranceBits a component below {@code -negativeToleranceBits} fails the run
     */
    public record Options(double gapToleranceBits, int maxIterations, double negativeToleranceBits) {

        public Options {
            if (!(gapToleranceBits > 0) || Double.isInfinite(gapToleranceBits)) {
                throw new IllegalArgumentException("gapToleranceBits must be positive and finite, got "
                        + gapToleranceBits);
            }
            if (maxIterations < 1) {
                throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
            }
            if (!(negativeToleranceBits >= 0) || Double.isInfinite(negativeToleranceBits)) {
                throw new IllegalArgumentException("negativeToleranceBits must be >= 0 and finite, got "
                        + negativeToleranceBits);
            }
        }

        /** Gap 1e-12 bits, 200 iterations, negative tolerance 1e-12 bits. */
        public static Options defaults() {
            return new Options(1e-12, 200, 1e-12);
        }
    }

    /** A result together with the optimal coupling q* (same sizes and variable order as the input). */
    public record Solution(PidResult result, JointDistribution optimum) {
    }

    private final Options options;

    public BrojaSolver(Options options) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        this.options = options;
    }

    public static BrojaSolver withDefaults() {
        return new BrojaSolver(Options.defaults());
    }

    public Options options() {
        return options;
    }

    /** The decomposition of {@code p}. */
    public PidResult solve(JointDistribution p) {
        return solveWithOptimum(p).result();
    }

    /** The decomposition of {@code p} and the optimal coupling q* it was computed from. */
    public Solution solveWithOptimum(JointDistribution p) {
        if (p == null) {
            throw new IllegalArgumentException("joint distribution must not be null");
        }
        double i1 = p.miX1YBits();
        double i2 = p.miX2YBits();
        double iJoint = p.miJointBits();
        double hY = p.entropyYBits();

        Ipm ipm = new Ipm(p);
        if (ipm.ny <= 1) {
            // A constant target: every information term is exactly zero and Δp = {p}.
            PidResult r = new PidResult(0, 0, 0, 0, i1, i2, iJoint, PidResult.complementarityOf(0, iJoint),
                    PidResult.complementarityNoteOf(iJoint), 0, 0, 0, true, PidResult.Status.TRIVIAL,
                    "Y takes a single value: all terms are zero");
            return new Solution(r, p);
        }
        ipm.run(options);

        double fBits = ipm.bestF / LN2;
        double gapBits = Math.max(0.0, (ipm.bestF - ipm.bestLowerBound) / LN2);
        // I_q(X1,X2;Y) = H(Y) - H_q(Y|X1,X2) because q keeps p's Y-marginal.
        double iq = hY + fBits;
        double synergy = iJoint - iq;
        double u1 = iq - i2;
        double u2 = iq - i1;
        double red = i1 + i2 - iq;

        PidResult.Status status;
        StringBuilder msg = new StringBuilder();
        if (ipm.failure != null) {
            status = PidResult.Status.NUMERICAL_FAILURE;
            msg.append("numerical failure after ").append(ipm.iterations).append(" iterations: ").append(ipm.failure);
        } else if (!(gapBits <= options.gapToleranceBits())) {
            status = PidResult.Status.ITERATION_LIMIT;
            msg.append("not converged: duality gap ").append(gapBits).append(" bits after ").append(ipm.iterations)
                    .append(" iterations exceeds tolerance ").append(options.gapToleranceBits());
        } else {
            status = PidResult.Status.CONVERGED;
            msg.append("converged: duality gap ").append(gapBits).append(" bits after ").append(ipm.iterations)
                    .append(" iterations");
        }
        double neg = -options.negativeToleranceBits();
        String negatives = negativeComponents(red, u1, u2, synergy, neg);
        if (status == PidResult.Status.CONVERGED && !negatives.isEmpty()) {
            status = PidResult.Status.NEGATIVE_COMPONENT;
            msg.setLength(0);
            msg.append("failed sign check: ").append(negatives).append(" below -")
                    .append(options.negativeToleranceBits()).append(" bits (gap ").append(gapBits).append(" bits)");
        } else if (status == PidResult.Status.CONVERGED
                && (red < 0 || u1 < 0 || u2 < 0 || synergy < 0)) {
            msg.append("; tiny negative components within -").append(options.negativeToleranceBits())
                    .append(" bits are rounding and are reported unclipped");
        }
        if (ipm.feasibility > 1e-9) {
            msg.append("; warning: marginal constraint residual ").append(ipm.feasibility);
        }
        boolean converged = status == PidResult.Status.CONVERGED;
        PidResult r = new PidResult(red, u1, u2, synergy, i1, i2, iJoint,
                PidResult.complementarityOf(red, iJoint), PidResult.complementarityNoteOf(iJoint),
                gapBits, ipm.feasibility, ipm.iterations, converged, status, msg.toString());
        return new Solution(r, ipm.optimum(p));
    }

    private static String negativeComponents(double r, double u1, double u2, double s, double limit) {
        StringBuilder b = new StringBuilder();
        appendIfBelow(b, "R", r, limit);
        appendIfBelow(b, "U1", u1, limit);
        appendIfBelow(b, "U2", u2, limit);
        appendIfBelow(b, "S", s, limit);
        return b.toString();
    }

    private static void appendIfBelow(StringBuilder b, String name, double v, double limit) {
        if (v < limit || Double.isNaN(v)) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(name).append(" = ").append(v);
        }
    }

    // =====================================================================================================

    /**
     * One interior-point run. Internally the sources are renamed a (eliminated side) and b (kept side, the
     * one with fewer active constraints), and values of a, b and y with zero marginal are dropped. Variables
     * are stored densely per pair: index (a * nb + b) * ny + y, with a mask for the allowed cells.
     */
    private static final class Ipm {

        final boolean swapped;
        final int na;
        final int nb;
        final int ny;
        final int[] aOrig;
        final int[] bOrig;
        final int[] yOrig;
        final double[] pa;
        final double[] pb;
        final boolean[] allowed;
        final boolean[] pairActive;
        final int nVars;
        final int[] kIdx;
        final int mK;

        // iterate
        final double[] q;
        final double[] z;
        final double[] lam;
        final double[] mu;

        // per-iteration work
        final double[] s;
        final double[] rd;
        final double[] rpE;
        final double[] rpK;
        final double[] w;
        final double[] g;
        final double[] u;
        final double[] v;
        final double[] pInv;
        final double[] m;
        final double[] cholWork;
        final double[] rt;
        final double[] dq;
        final double[] dz;
        final double[] dlam;
        final double[] dmu;
        final double[] dqAff;
        final double[] dzAff;
        final double[] rhsE;
        final double[] rhsK;
        final double[] tE;
        final double[] kVec;

        double bestF = Double.POSITIVE_INFINITY;
        double[] bestQ;
        double bestLowerBound = Double.NEGATIVE_INFINITY;
        int iterations;
        double feasibility;
        String failure;
        String buildFailure;
        long droppedPivots;

        Ipm(JointDistribution p) {
            double[][] m1 = p.marginalX1Y();
            double[][] m2 = p.marginalX2Y();
            int c1 = countPositive(m1);
            int c2 = countPositive(m2);
            swapped = c1 < c2;
            double[][] ma = swapped ? m2 : m1;
            double[][] mb = swapped ? m1 : m2;
            double[] py = p.marginalY();
            yOrig = positiveIndices(py);
            ny = yOrig.length;
            aOrig = positiveRows(ma);
            bOrig = positiveRows(mb);
            na = aOrig.length;
            nb = bOrig.length;
            pa = compact(ma, aOrig, yOrig);
            pb = compact(mb, bOrig, yOrig);

            int n = na * nb * ny;
            allowed = new boolean[n];
            pairActive = new boolean[na * nb];
            q = new double[n];
            int count = 0;
            for (int a = 0; a < na; a++) {
                for (int b = 0; b < nb; b++) {
                    int c = a * nb + b;
                    for (int y = 0; y < ny; y++) {
                        double x = pa[a * ny + y];
                        double t = pb[b * ny + y];
                        if (x > 0 && t > 0) {
                            allowed[c * ny + y] = true;
                            pairActive[c] = true;
                            count++;
                        }
                    }
                }
            }
            nVars = count;

            // One constraint per y is implied by the others (both sides sum to p(y)); drop the kept side's
            // largest so the normal equations are nonsingular.
            int[] drop = new int[ny];
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

            z = new double[n];
            lam = new double[na * ny];
            mu = new double[nb * ny];
            s = new double[na * nb];
            rd = new double[n];
            rpE = new double[na * ny];
            rpK = new double[nb * ny];
            w = new double[n];
            g = new double[na * nb];
            u = new double[n];
            v = new double[n];
            pInv = new double[na * ny * ny];
            m = new double[mK * mK];
            cholWork = DenseCholesky.workspace(mK);
            rt = new double[n];
            dq = new double[n];
            dz = new double[n];
            dlam = new double[na * ny];
            dmu = new double[nb * ny];
            dqAff = new double[n];
            dzAff = new double[n];
            rhsE = new double[na * ny];
            rhsK = new double[nb * ny];
            tE = new double[na * ny];
            kVec = new double[mK];
        }

        // ------------------------------------------------------------------ main loop

        void run(Options options) {
            double tolNats = options.gapToleranceBits() * LN2;
            int maxIter = options.maxIterations();
            initialPoint();
            // Barrier parameter: on the central path q.z = barrier per cell and the gap is nVars * barrier.
            residuals();
            double f0 = objective();
            double barrier = Math.max(f0 + entropyYNats(), 1e-6) / nVars;
            double barrierFloor = tolNats / (10.0 * nVars);
            for (int i = 0; i < q.length; i++) {
                z[i] = allowed[i] ? barrier / q[i] : 0;
            }
            for (iterations = 0; ; iterations++) {
                residuals();
                double f = objective();
                double lb = lowerBound();
                if (!Double.isFinite(f)) {
                    failure = "non-finite objective " + f;
                    break;
                }
                if (f < bestF) {
                    bestF = f;
                    bestQ = q.clone();
                }
                if (lb > bestLowerBound) {
                    bestLowerBound = lb;
                }
                if (bestF - bestLowerBound <= tolNats || iterations >= maxIter) {
                    break;
                }
                if (!buildSystem()) {
                    if (TRACE) {
                        System.err.println("build failed: " + buildFailure);
                    }
                    failure = "normal equations not positive definite at iteration " + iterations;
                    break;
                }
                // Newton step towards the barrier centre: (H + Z/Q) dq - A^T ν = -∇f + barrier/q, A dq = -r_p.
                // Written in increments of the multipliers: near the end dν is small, whereas solving for ν
                // itself would make dq a difference of two huge terms H^{-1} A^T ν.
                for (int a = 0; a < na; a++) {
                    for (int b = 0; b < nb; b++) {
                        int off = (a * nb + b) * ny;
                        for (int y = 0; y < ny; y++) {
                            int i = off + y;
                            rt[i] = allowed[i] ? -Math.log(q[i] / s[a * nb + b]) + lam[a * ny + y] + mu[b * ny + y]
                                    + barrier / q[i] : 0;
                        }
                    }
                }
                solveRefined(rt, dq);
                if (TRACE) {
                    traceResiduals(rt, dq);
                }
                double slope = 0;
                for (int i = 0; i < q.length; i++) {
                    if (allowed[i]) {
                        slope -= rt[i] * dq[i];
                        dz[i] = barrier / q[i] - z[i] - z[i] / q[i] * dq[i];
                    } else {
                        dz[i] = 0;
                    }
                }
                if (!Double.isFinite(slope)) {
                    failure = "non-finite Newton direction at iteration " + iterations;
                    break;
                }
                double tau = Math.max(0.99, 1.0 - barrier * nVars);
                double alpha = stepToBoundary(q, dq, tau);
                if (TRACE && alpha < 0.5) {
                    int arg = -1;
                    double best = 2;
                    for (int i = 0; i < q.length; i++) {
                        if (allowed[i] && dq[i] < 0 && -q[i] / dq[i] < best) {
                            best = -q[i] / dq[i];
                            arg = i;
                        }
                    }
                    int c = arg / ny;
                    int cnt = 0;
                    for (int i = 0; i < q.length; i++) {
                        if (allowed[i] && dq[i] < 0 && -q[i] / dq[i] < 0.5) {
                            cnt++;
                        }
                    }
                    System.err.printf("   limit: cell %d q=%.3e dq=%.3e z=%.3e s=%.3e qz/bar=%.3e pairY=%s  #blocking=%d%n", arg, q[arg], dq[arg], z[arg], s[c], q[arg] * z[arg] / barrier,
                            Arrays.toString(Arrays.copyOfRange(q, c * ny, c * ny + ny)), cnt);
                }
                double phi0 = f - barrier * sumLog(q);
                // Below rounding level the merit function cannot rank the points; take the step as is.
                boolean exact = -slope > 1e-14 * (1.0 + Math.abs(phi0));
                int halvings = 0;
                while (exact) {
                    for (int i = 0; i < q.length; i++) {
                        dqAff[i] = allowed[i] ? q[i] + alpha * dq[i] : 0;
                    }
                    double phi = objectiveAt(dqAff) - barrier * sumLog(dqAff);
                    if (phi <= phi0 + 1e-4 * alpha * slope || halvings >= 60) {
                        break;
                    }
                    alpha *= 0.5;
                    halvings++;
                }
                double alphaZ = stepToBoundary(z, dz, tau);
                for (int i = 0; i < lam.length; i++) {
                    lam[i] += alpha * dlam[i];
                }
                for (int i = 0; i < mu.length; i++) {
                    mu[i] += alpha * dmu[i];
                }
                for (int i = 0; i < q.length; i++) {
                    if (allowed[i]) {
                        q[i] += alpha * dq[i];
                        double zi = z[i] + alphaZ * dz[i];
                        // Keep z within a wide band around the central value barrier/q (IPOPT's safeguard):
                        // the primal-dual Hessian then stays close to the primal barrier Hessian.
                        double centre = barrier / q[i];
                        z[i] = Math.min(Math.max(zi, centre * 1e-10), centre * 1e10);
                    }
                }
                restoreMarginals(q);
                if (TRACE) {
                    System.err.printf("it=%d f=%.15e lb=%.15e gap=%.3e bar=%.3e dec=%.3e a=%.3e az=%.3e h=%d%n",
                            iterations, f, lb, f - lb, barrier, -slope / barrier, alpha, alphaZ, halvings);
                }
                // Centred enough (Newton decrement small in barrier units): shrink the barrier superlinearly.
                if (-slope <= 0.5 * barrier * Math.sqrt(nVars) || alpha == 1.0 && -slope <= barrier * nVars) {
                    double gapEst = barrier * nVars;
                    double next = Math.min(0.2 * gapEst, Math.pow(gapEst, 1.5)) / nVars;
                    barrier = Math.max(barrierFloor, next);
                }
            }
            if (bestQ == null) {
                bestQ = q.clone();
            }
            feasibility = constraintResidual(bestQ);
        }

        private void traceResiduals(double[] r, double[] d) {
            double[] eE = rpE.clone();
            double[] eK = rpK.clone();
            double worst1 = 0;
            for (int c = 0; c < na * nb; c++) {
                if (!pairActive[c]) {
                    continue;
                }
                int a = c / nb;
                int b = c % nb;
                int off = c * ny;
                double sum = 0;
                for (int y = 0; y < ny; y++) {
                    sum += d[off + y];
                }
                for (int y = 0; y < ny; y++) {
                    int i = off + y;
                    if (allowed[i]) {
                        double hd = d[i] * (1 + z[i]) / q[i] - sum / s[c];
                        worst1 = Math.max(worst1, Math.abs(r[i] - (hd - dlam[a * ny + y] - dmu[b * ny + y])) / (Math.abs(r[i]) + 1));
                        eE[a * ny + y] += d[i];
                        eK[b * ny + y] += d[i];
                    }
                }
            }
            System.err.printf("   newton residual: stationarity %.3e  feasibility E %.3e K %.3e  dropped %d  |dq| %.3e%n", worst1, maxAbs(eE), maxAbs(eK), droppedPivots, maxAbs(d));
        }

        /**
         * Rescales q row- and column-wise in each y-slice (iterative proportional fitting) until it meets the
         * marginals to rounding. The Newton steps keep A q = b only as accurately as the ill-conditioned late
         * systems are solved; these multiplicative corrections are tiny, keep q positive, and make the primal
         * value f(q) a valid upper bound for the certificate.
         */
        private void restoreMarginals(double[] x) {
            double[] rows = new double[na * ny];
            double[] cols = new double[nb * ny];
            for (int pass = 0; pass < 100; pass++) {
                Arrays.fill(rows, 0);
                for (int c = 0; c < na * nb; c++) {
                    int a = c / nb;
                    int off = c * ny;
                    for (int y = 0; y < ny; y++) {
                        rows[a * ny + y] += x[off + y];
                    }
                }
                double worst = 0;
                for (int i = 0; i < rows.length; i++) {
                    if (pa[i] > 0) {
                        worst = Math.max(worst, Math.abs(rows[i] - pa[i]) / pa[i]);
                        rows[i] = pa[i] / rows[i];
                    }
                }
                if (pass > 0 && worst <= 1e-15) {
                    return;
                }
                Arrays.fill(cols, 0);
                for (int c = 0; c < na * nb; c++) {
                    int a = c / nb;
                    int b = c % nb;
                    int off = c * ny;
                    for (int y = 0; y < ny; y++) {
                        double v = x[off + y] * rows[a * ny + y];
                        x[off + y] = v;
                        cols[b * ny + y] += v;
                    }
                }
                for (int i = 0; i < cols.length; i++) {
                    if (pb[i] > 0) {
                        cols[i] = pb[i] / cols[i];
                    }
                }
                for (int c = 0; c < na * nb; c++) {
                    int b = c % nb;
                    int off = c * ny;
                    for (int y = 0; y < ny; y++) {
                        x[off + y] *= cols[b * ny + y];
                    }
                }
            }
        }

        private double entropyYNats() {
            double h = 0;
            for (int y = 0; y < ny; y++) {
                double py = 0;
                for (int a = 0; a < na; a++) {
                    py += pa[a * ny + y];
                }
                if (py > 0) {
                    h -= py * Math.log(py);
                }
            }
            return h;
        }

        private double sumLog(double[] x) {
            double t = 0;
            for (int i = 0; i < x.length; i++) {
                if (allowed[i]) {
                    t += Math.log(x[i]);
                }
            }
            return t;
        }

        /** f at an arbitrary point (pair sums recomputed). */
        private double objectiveAt(double[] x) {
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
                    if (allowed[off + y] && x[off + y] > 0) {
                        f += x[off + y] * Math.log(x[off + y] / sc);
                    }
                }
            }
            return f;
        }

        /**
         * Solves the Newton system and applies one step of iterative refinement: late in the run the reduced
         * matrix is ill-conditioned and a single solve can leave residuals that would pull q off Δp.
         */
        private void solveRefined(double[] r, double[] out) {
            solveNewton(r, rpE, rpK, out);
            // Residuals of the full system with the computed (out, dlam, dmu).
            double[] er = dzAff;
            for (int c = 0; c < na * nb; c++) {
                if (!pairActive[c]) {
                    continue;
                }
                int a = c / nb;
                int b = c % nb;
                int off = c * ny;
                double sum = 0;
                for (int y = 0; y < ny; y++) {
                    sum += out[off + y];
                }
                double sInv = 1.0 / s[c];
                for (int y = 0; y < ny; y++) {
                    int i = off + y;
                    if (allowed[i]) {
                        double hd = out[i] / w[i] - sum * sInv * (1.0 - HOMOGENEOUS_REG);
                        er[i] = r[i] - (hd - dlam[a * ny + y] - dmu[b * ny + y]);
                    } else {
                        er[i] = 0;
                    }
                }
            }
            double[] eE = new double[rpE.length];
            double[] eK = new double[rpK.length];
            System.arraycopy(rpE, 0, eE, 0, eE.length);
            System.arraycopy(rpK, 0, eK, 0, eK.length);
            for (int c = 0; c < na * nb; c++) {
                if (!pairActive[c]) {
                    continue;
                }
                int a = c / nb;
                int b = c % nb;
                int off = c * ny;
                for (int y = 0; y < ny; y++) {
                    eE[a * ny + y] += out[off + y];
                    eK[b * ny + y] += out[off + y];
                }
            }
            // The correction solves H d - A^T dν = er, A d = -(r_p + A out).
            double[] lam0 = dlam.clone();
            double[] mu0 = dmu.clone();
            double[] corr = rt == r ? new double[q.length] : rt;
            solveNewton(er, eE, eK, corr);
            for (int i = 0; i < q.length; i++) {
                out[i] += corr[i];
            }
            for (int i = 0; i < dlam.length; i++) {
                dlam[i] += lam0[i];
            }
            for (int i = 0; i < dmu.length; i++) {
                dmu[i] += mu0[i];
            }
        }

        private void initialPoint() {
            // q0 = p(a,y) p(b,y) / p(y): strictly positive on the allowed cells and exactly in Δp.
            double[] py = new double[ny];
            for (int a = 0; a < na; a++) {
                for (int y = 0; y < ny; y++) {
                    py[y] += pa[a * ny + y];
                }
            }
            for (int a = 0; a < na; a++) {
                for (int b = 0; b < nb; b++) {
                    int off = (a * nb + b) * ny;
                    for (int y = 0; y < ny; y++) {
                        if (allowed[off + y]) {
                            q[off + y] = pa[a * ny + y] * pb[b * ny + y] / py[y];
                        }
                    }
                }
            }
            Arrays.fill(lam, 0);
            Arrays.fill(mu, 0);
        }

        // ------------------------------------------------------------------ residuals and certificate

        /** Fills s, rd, rpE, rpK; returns the average complementarity q.z / n. */
        private double residuals() {
            Arrays.fill(rpE, 0);
            Arrays.fill(rpK, 0);
            double comp = 0;
            for (int a = 0; a < na; a++) {
                for (int b = 0; b < nb; b++) {
                    int c = a * nb + b;
                    int off = c * ny;
                    if (!pairActive[c]) {
                        s[c] = 0;
                        continue;
                    }
                    double sc = 0;
                    for (int y = 0; y < ny; y++) {
                        sc += q[off + y];
                    }
                    s[c] = sc;
                    for (int y = 0; y < ny; y++) {
                        int i = off + y;
                        if (allowed[i]) {
                            rd[i] = Math.log(q[i] / sc) - lam[a * ny + y] - mu[b * ny + y] - z[i];
                            rpE[a * ny + y] += q[i];
                            rpK[b * ny + y] += q[i];
                            comp += q[i] * z[i];
                        } else {
                            rd[i] = 0;
                        }
                    }
                }
            }
            for (int i = 0; i < rpE.length; i++) {
                rpE[i] -= pa[i];
            }
            for (int i = 0; i < rpK.length; i++) {
                rpK[i] -= pb[i];
            }
            return comp / nVars;
        }

        /** f(q) = sum q ln(q/s) in nats (uses s from {@link #residuals}). */
        private double objective() {
            double f = 0;
            for (int c = 0; c < na * nb; c++) {
                if (!pairActive[c]) {
                    continue;
                }
                int off = c * ny;
                double sc = s[c];
                for (int y = 0; y < ny; y++) {
                    int i = off + y;
                    if (allowed[i]) {
                        f += q[i] * Math.log(q[i] / sc);
                    }
                }
            }
            return f;
        }

        /** Weak-duality lower bound on min f from the current multipliers, valid for any (λ, μ). */
        private double lowerBound() {
            double obj = 0;
            for (int i = 0; i < lam.length; i++) {
                obj += lam[i] * pa[i];
            }
            for (int i = 0; i < mu.length; i++) {
                obj += mu[i] * pb[i];
            }
            double worst = Double.NEGATIVE_INFINITY;
            for (int a = 0; a < na; a++) {
                for (int b = 0; b < nb; b++) {
                    int c = a * nb + b;
                    if (!pairActive[c]) {
                        continue;
                    }
                    int off = c * ny;
                    double mx = Double.NEGATIVE_INFINITY;
                    for (int y = 0; y < ny; y++) {
                        if (allowed[off + y]) {
                            mx = Math.max(mx, lam[a * ny + y] + mu[b * ny + y]);
                        }
                    }
                    double sum = 0;
                    for (int y = 0; y < ny; y++) {
                        if (allowed[off + y]) {
                            sum += Math.exp(lam[a * ny + y] + mu[b * ny + y] - mx);
                        }
                    }
                    worst = Math.max(worst, mx + Math.log(sum));
                }
            }
            // Shifting every λ by -worst makes all pair constraints hold and costs exactly worst, since the
            // p(x1,y) sum to one.
            return obj - worst;
        }

        private double constraintResidual(double[] x) {
            double[] e = new double[na * ny];
            double[] k = new double[nb * ny];
            for (int a = 0; a < na; a++) {
                for (int b = 0; b < nb; b++) {
                    int off = (a * nb + b) * ny;
                    for (int y = 0; y < ny; y++) {
                        e[a * ny + y] += x[off + y];
                        k[b * ny + y] += x[off + y];
                    }
                }
            }
            double worst = 0;
            for (int i = 0; i < e.length; i++) {
                worst = Math.max(worst, Math.abs(e[i] - pa[i]));
            }
            for (int i = 0; i < k.length; i++) {
                worst = Math.max(worst, Math.abs(k[i] - pb[i]));
            }
            return worst;
        }

        // ------------------------------------------------------------------ Newton system

        /**
         * Prepares the pair blocks H_c^{-1} = diag(w) + g w w^T (w = q/(1+z), 1/g = sum q z/(1+z)), the
         * inverses P_a of the eliminated side's blocks, and the factored reduced matrix M.
         */
        private boolean buildSystem() {
            for (int c = 0; c < na * nb; c++) {
                int off = c * ny;
                if (!pairActive[c]) {
                    g[c] = 0;
                    continue;
                }
                double den = 0;
                for (int y = 0; y < ny; y++) {
                    int i = off + y;
                    if (allowed[i]) {
                        double wi = q[i] / (1.0 + z[i]);
                        w[i] = wi;
                        // s - sum w, computed without cancellation.
                        den += wi * z[i];
                    } else {
                        w[i] = 0;
                    }
                }
                g[c] = 1.0 / (den + s[c] * HOMOGENEOUS_REG);
                if (!Double.isFinite(g[c])) {
                    buildFailure = "pair " + c + " g=" + g[c] + " den=" + den + " s=" + s[c];
                    return false;
                }
            }
            double[] block = new double[ny * ny];
            for (int a = 0; a < na; a++) {
                Arrays.fill(block, 0);
                for (int b = 0; b < nb; b++) {
                    int c = a * nb + b;
                    if (pairActive[c]) {
                        addPairBlock(block, c);
                    }
                }
                for (int y = 0; y < ny; y++) {
                    if (!(pa[a * ny + y] > 0)) {
                        block[y * ny + y] = 1.0; // inactive constraint: decoupled, its multiplier stays 0
                    }
                }
                if (!invertSmall(block, ny, pInv, a * ny * ny)) {
                    buildFailure = "block " + a;
                    return false;
                }
                int po = a * ny * ny;
                for (int b = 0; b < nb; b++) {
                    int c = a * nb + b;
                    int off = c * ny;
                    if (!pairActive[c]) {
                        continue;
                    }
                    for (int y = 0; y < ny; y++) {
                        double t = 0;
                        for (int yy = 0; yy < ny; yy++) {
                            t += pInv[po + y * ny + yy] * w[off + yy];
                        }
                        u[off + y] = t;
                        v[off + y] = g[c] * t;
                    }
                }
            }
            formReduced();
            int dropped = DenseCholesky.factor(m, mK, cholWork, PIVOT_TOLERANCE);
            if (dropped < 0) {
                buildFailure = "reduced matrix of size " + mK + " has non-finite entries";
                return false;
            }
            droppedPivots += dropped;
            return true;
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
         * M = S_KK - S_KE P S_EK on the kept constraints. For pairs c = (a,b), c' = (a,b') the product
         * (D_c + g_c w_c w_c^T) P_a (D_c' + g_c' w_c' w_c'^T) has entries
         * w_c[y] w_c'[y'] (P[y,y'] + v_c'[y] + v_c[y'] + g_c g_c' w_c.u_c'), with u = P w and v = g u.
         */
        private void formReduced() {
            Arrays.fill(m, 0);
            double[] acc = new double[ny * ny];
            double[] h = new double[ny];
            for (int b = 0; b < nb; b++) {
                for (int b2 = 0; b2 <= b; b2++) {
                    Arrays.fill(acc, 0);
                    for (int a = 0; a < na; a++) {
                        int c = a * nb + b;
                        int c2 = a * nb + b2;
                        if (!pairActive[c] || !pairActive[c2]) {
                            continue;
                        }
                        int o = c * ny;
                        int o2 = c2 * ny;
                        int po = a * ny * ny;
                        double cc = 0;
                        for (int y = 0; y < ny; y++) {
                            cc += w[o + y] * u[o2 + y];
                        }
                        cc *= g[c] * g[c2];
                        for (int y = 0; y < ny; y++) {
                            h[y] = w[o2 + y] * v[o + y];
                        }
                        for (int y = 0; y < ny; y++) {
                            double alpha = w[o + y];
                            if (alpha == 0) {
                                continue;
                            }
                            double beta = v[o2 + y] + cc;
                            int r = y * ny;
                            int pr = po + r;
                            for (int yy = 0; yy < ny; yy++) {
                                acc[r + yy] += alpha * (w[o2 + yy] * (pInv[pr + yy] + beta) + h[yy]);
                            }
                        }
                    }
                    if (b == b2) {
                        // S_KK block: sum over a of the pair blocks.
                        for (int a = 0; a < na; a++) {
                            int c = a * nb + b;
                            if (pairActive[c]) {
                                subtractPairBlock(acc, c);
                            }
                        }
                    }
                    // acc now holds -(M block); scatter into the compressed lower triangle.
                    for (int y = 0; y < ny; y++) {
                        int i = kIdx[b * ny + y];
                        if (i < 0) {
                            continue;
                        }
                        int ri = i * mK;
                        for (int yy = 0; yy < ny; yy++) {
                            int j = kIdx[b2 * ny + yy];
                            if (j >= 0 && j <= i) {
                                m[ri + j] = -acc[y * ny + yy];
                            }
                        }
                    }
                }
            }
        }

        private void subtractPairBlock(double[] acc, int c) {
            int off = c * ny;
            double gc = g[c];
            for (int y = 0; y < ny; y++) {
                double wy = w[off + y];
                if (wy == 0) {
                    continue;
                }
                acc[y * ny + y] -= wy;
                double gw = gc * wy;
                int r = y * ny;
                for (int yy = 0; yy < ny; yy++) {
                    acc[r + yy] -= gw * w[off + yy];
                }
            }
        }

        /** x = H_c^{-1} r on one pair, written to out at the same offset. */
        private void applyPairInverse(int c, double[] r, int rOff, double[] out, int outOff) {
            int off = c * ny;
            double dot = 0;
            for (int y = 0; y < ny; y++) {
                dot += w[off + y] * r[rOff + y];
            }
            double gd = g[c] * dot;
            for (int y = 0; y < ny; y++) {
                out[outOff + y] = w[off + y] * (r[rOff + y] + gd);
            }
        }

        /**
         * Solves (H + Z/Q) d - A^T dν = r, A d = -r_p for d (written to {@code out}) and dν (into dlam, dmu).
         */
        private void solveNewton(double[] r, double[] resE, double[] resK, double[] out) {
            // t = H^{-1} r, accumulated into the constraint right-hand sides -r_p - A t.
            for (int i = 0; i < rhsE.length; i++) {
                rhsE[i] = pa[i] > 0 ? -resE[i] : 0;
            }
            for (int i = 0; i < rhsK.length; i++) {
                rhsK[i] = -resK[i];
            }
            for (int a = 0; a < na; a++) {
                for (int b = 0; b < nb; b++) {
                    int c = a * nb + b;
                    if (!pairActive[c]) {
                        continue;
                    }
                    int off = c * ny;
                    applyPairInverse(c, r, off, out, off);
                    for (int y = 0; y < ny; y++) {
                        rhsE[a * ny + y] -= out[off + y];
                        rhsK[b * ny + y] -= out[off + y];
                    }
                }
            }
            // Eliminate the a-side: rhsK -= S_KE P rhsE.
            double[] tmp = new double[ny];
            for (int a = 0; a < na; a++) {
                int po = a * ny * ny;
                for (int y = 0; y < ny; y++) {
                    double t = 0;
                    for (int yy = 0; yy < ny; yy++) {
                        t += pInv[po + y * ny + yy] * rhsE[a * ny + yy];
                    }
                    tE[a * ny + y] = t;
                }
                for (int b = 0; b < nb; b++) {
                    int c = a * nb + b;
                    if (!pairActive[c]) {
                        continue;
                    }
                    applyPairInverse(c, tE, a * ny, tmp, 0);
                    for (int y = 0; y < ny; y++) {
                        rhsK[b * ny + y] -= tmp[y];
                    }
                }
            }
            for (int i = 0; i < kIdx.length; i++) {
                if (kIdx[i] >= 0) {
                    kVec[kIdx[i]] = rhsK[i];
                }
            }
            DenseCholesky.solve(m, mK, kVec);
            for (int i = 0; i < kIdx.length; i++) {
                dmu[i] = kIdx[i] >= 0 ? kVec[kIdx[i]] : 0;
            }
            // Back-substitute the a-side: dλ_a = P_a (rhsE_a - S_EK dμ).
            for (int a = 0; a < na; a++) {
                for (int b = 0; b < nb; b++) {
                    int c = a * nb + b;
                    if (!pairActive[c]) {
                        continue;
                    }
                    applyPairInverse(c, dmu, b * ny, tmp, 0);
                    for (int y = 0; y < ny; y++) {
                        rhsE[a * ny + y] -= tmp[y];
                    }
                }
                int po = a * ny * ny;
                for (int y = 0; y < ny; y++) {
                    double t = 0;
                    for (int yy = 0; yy < ny; yy++) {
                        t += pInv[po + y * ny + yy] * rhsE[a * ny + yy];
                    }
                    dlam[a * ny + y] = pa[a * ny + y] > 0 ? t : 0;
                }
            }
            // d = H^{-1} (r + A^T dν) on each pair.
            for (int a = 0; a < na; a++) {
                for (int b = 0; b < nb; b++) {
                    int c = a * nb + b;
                    int off = c * ny;
                    if (!pairActive[c]) {
                        continue;
                    }
                    for (int y = 0; y < ny; y++) {
                        tmp[y] = allowed[off + y] ? r[off + y] + dlam[a * ny + y] + dmu[b * ny + y] : 0;
                    }
                    applyPairInverse(c, tmp, 0, out, off);
                }
            }
        }

        private double stepToBoundary(double[] x, double[] dx, double tau) {
            double alpha = 1.0;
            for (int i = 0; i < x.length; i++) {
                if (allowed[i] && dx[i] < 0) {
                    double t = -tau * x[i] / dx[i];
                    if (t < alpha) {
                        alpha = t;
                    }
                }
            }
            return alpha;
        }

        // ------------------------------------------------------------------ output

        JointDistribution optimum(JointDistribution p) {
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
                            flat[(x1 * n2 + x2) * nyAll + yOrig[y]] = bestQ[off + y];
                        }
                    }
                }
            }
            return JointDistribution.fromFlat(n1, n2, nyAll, flat);
        }

        // ------------------------------------------------------------------ helpers

        private static int countPositive(double[][] m) {
            int k = 0;
            for (double[] row : m) {
                for (double x : row) {
                    if (x > 0) {
                        k++;
                    }
                }
            }
            return k;
        }

        private static int[] positiveIndices(double[] v) {
            int k = 0;
            for (double x : v) {
                if (x > 0) {
                    k++;
                }
            }
            int[] idx = new int[k];
            k = 0;
            for (int i = 0; i < v.length; i++) {
                if (v[i] > 0) {
                    idx[k++] = i;
                }
            }
            return idx;
        }

        private static int[] positiveRows(double[][] m) {
            double[] sums = new double[m.length];
            for (int i = 0; i < m.length; i++) {
                for (double x : m[i]) {
                    sums[i] += x;
                }
            }
            return positiveIndices(sums);
        }

        private static double[] compact(double[][] m, int[] rows, int[] cols) {
            double[] out = new double[rows.length * cols.length];
            for (int i = 0; i < rows.length; i++) {
                for (int j = 0; j < cols.length; j++) {
                    out[i * cols.length + j] = m[rows[i]][cols[j]];
                }
            }
            return out;
        }

        /** Inverse of a small SPD matrix via Cholesky, written to out[off ..]. */
        private static boolean invertSmall(double[] a, int n, double[] out, int off) {
            double[] l = a.clone();
            double[] work = DenseCholesky.workspace(n);
            if (DenseCholesky.factor(l, n, work, PIVOT_TOLERANCE) < 0) {
                return false;
            }
            double[] col = new double[n];
            for (int j = 0; j < n; j++) {
                Arrays.fill(col, 0);
                col[j] = 1;
                DenseCholesky.solve(l, n, col);
                for (int i = 0; i < n; i++) {
                    out[off + i * n + j] = col[i];
                }
            }
            // Symmetrise: the formula for M relies on P = P^T.
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < i; j++) {
                    double avg = 0.5 * (out[off + i * n + j] + out[off + j * n + i]);
                    out[off + i * n + j] = avg;
                    out[off + j * n + i] = avg;
                }
            }
            return true;
        }
    }
}
