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
 * A primal-dual interior-point method (Mehrotra predictor-corrector) on the Lagrange dual
 * <pre>
 *   max  sum λ(x1,y) p(x1,y) + sum μ(x2,y) p(x2,y)
 *   s.t. ℓ_c(λ,μ) = ln sum_y exp(λ(x1,y) + μ(x2,y)) <= 0   for every pair c = (x1,x2) with an allowed y,
 * </pre>
 * whose multipliers are the pair masses s_c = q(x1,x2); the primal coupling is q = s_c softmax_c(λ + μ).
 * Why the dual: it has one complementarity pair (s_c, τ_c = -ℓ_c) per pair instead of one per cell, no flat
 * directions (q* need not be unique, the dual optimum generically is), and constraints of bounded curvature,
 * so Newton's method converges fast right up to boundary optima (AND, OR, reduced or), where alternating
 * (Sinkhorn-style) methods crawl at O(1/k). The start is the conditionally independent coupling
 * p(x1,y) p(x2,y) / p(y), which lies in Δp. Typical runs take 5 to 20 iterations.
 *
 * <p>Each Newton matrix A K A^T has, per pair, a diagonal-plus-rank-one kernel, and is block diagonal on the
 * multipliers of one source. It is factored by block Cholesky: |Y| x |Y| blocks for the source with more
 * constraints, a Gram update, then a dense Cholesky of size about min(n1, n2) |Y| for the other (one redundant
 * constraint per y is dropped). Near the end the matrix spans many orders of magnitude, so the factorisation
 * only preconditions conjugate gradients on the exact matrix-free operator. While the scales are moderate, a
 * closed form for the Gram update costs O(|Y|^2) instead of O(|Y|^3) per pair of pairs.
 *
 * <p>Each primal estimate s * softmax is moved exactly onto Δp (proportional fitting, then an additive
 * correction along a maximum spanning tree of each y-slice) before it is scored, so every reported q is
 * feasible to rounding.
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

    /** Relative pivot size below which a direction of the Newton matrix is dropped (huge pivot). */
    private static final double PIVOT_TOLERANCE = 1e-14;
    /** Certify (repair and evaluate) the primal estimate once its marginals are this close, relatively. */
    private static final double REPAIR_THRESHOLD = 1e-3;
    /** Proportional-fitting passes tried before the exact spanning-tree correction. */
    private static final int REPAIR_PASSES = 30;
    /** Relative residual at which conjugate-gradient refinement of a Newton solve stops. */
    private static final double PCG_TOLERANCE = 1e-13;
    private static final int PCG_MAX_ITERATIONS = 50;
    /** Pairs contributing s * max(1, 1/τ) below this fraction of the largest mass are left out of the factorisation. */
    private static final double SKIP_RELATIVE = 1e-9;
    /** The closed-form Schur complement is used while every 1/τ is at most this. */
    private static final double CLOSED_FORM_LIMIT = 1e4;
    /** Largest dense matrix (entries) the factorisation may allocate: 2^27 doubles, 1 GiB. */
    private static final long MAX_DENSE_ENTRIES = 1L << 27;
    /** Lowest complementarity target per pair, as a fraction of the gap tolerance spread over the pairs. */
    private static final double COMPLEMENTARITY_FLOOR = 0.01;
    /** Stop as stalled when the gap has not halved over this many iterations. */
    private static final int STALL_WINDOW = 6;
    /** Stalls are only judged once the gap is this small (nats); before that the primal side lags by design. */
    private static final double ENDGAME_GAP_NATS = 1e-6;

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

        /** Gap 1e-12 bits, 100 iterations, negative tolerance 1e-12 bits. */
        public static Options defaults() {
            return new Options(1e-12, 100, 1e-12);
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
        ipm.run(options, new Terms(hY, i1, i2, iJoint));

        double gapBits = Math.max(0.0, (ipm.bestF - ipm.bestLowerBound) / LN2);
        Terms terms = new Terms(hY, i1, i2, iJoint);
        double iq = terms.iqBits(ipm.bestF);
        double red = i1 + i2 - iq;
        double u1 = iq - i2;
        double u2 = iq - i1;
        double synergy = iJoint - iq;

        PidResult.Status status;
        StringBuilder msg = new StringBuilder();
        String negatives = negativeComponents(red, u1, u2, synergy, -options.negativeToleranceBits());
        // The certificate is rigorous whatever happened afterwards: a gap within tolerance is convergence.
        if (gapBits <= options.gapToleranceBits() && negatives.isEmpty()) {
            status = PidResult.Status.CONVERGED;
            msg.append("converged: duality gap ").append(gapBits).append(" bits after ").append(ipm.iterations)
                    .append(" iterations");
            if (red < 0 || u1 < 0 || u2 < 0 || synergy < 0) {
                msg.append("; tiny negative components within -").append(options.negativeToleranceBits())
                        .append(" bits are rounding and are reported unclipped");
            }
        } else if (gapBits <= options.gapToleranceBits()) {
            status = PidResult.Status.NEGATIVE_COMPONENT;
            msg.append("failed sign check: ").append(negatives).append(" below -")
                    .append(options.negativeToleranceBits()).append(" bits with duality gap ").append(gapBits)
                    .append(" bits");
        } else if (ipm.failure != null) {
            status = PidResult.Status.NUMERICAL_FAILURE;
            msg.append("not converged, numerical failure after ").append(ipm.iterations).append(" iterations (")
                    .append(ipm.failure).append("); duality gap ").append(gapBits).append(" bits");
        } else if (ipm.stalled) {
            status = PidResult.Status.STALLED;
            msg.append("not converged: duality gap stalled at ").append(gapBits).append(" bits after ")
                    .append(ipm.iterations).append(" iterations (tolerance ").append(options.gapToleranceBits())
                    .append(")");
        } else {
            status = PidResult.Status.ITERATION_LIMIT;
            msg.append("not converged: duality gap ").append(gapBits).append(" bits after ").append(ipm.iterations)
                    .append(" iterations exceeds tolerance ").append(options.gapToleranceBits());
        }
        if (ipm.feasibility > 1e-12) {
            msg.append("; warning: marginal constraint residual ").append(ipm.feasibility);
        }
        boolean converged = status == PidResult.Status.CONVERGED;
        PidResult r = new PidResult(red, u1, u2, synergy, i1, i2, iJoint,
                PidResult.complementarityOf(red, iJoint), PidResult.complementarityNoteOf(iJoint),
                gapBits, ipm.feasibility, ipm.iterations, converged, status, msg.toString());
        return new Solution(r, ipm.optimum(p));
    }

    /** The fixed information terms of p, in bits, and the decomposition they imply for a value of f. */
    private record Terms(double hYBits, double i1Bits, double i2Bits, double iJointBits) {

        /** I_q(X1,X2;Y) = H(Y) - H_q(Y|X1,X2), since q keeps p's Y-marginal; f = -H_q(Y|X1,X2) in nats. */
        double iqBits(double fNats) {
            return hYBits + fNats / LN2;
        }

        /** The most negative of R and S for f; U1 and U2 can only err upwards. */
        double worstSign(double fNats) {
            double iq = iqBits(fNats);
            return Math.min(i1Bits + i2Bits - iq, iJointBits - iq);
        }
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
     * One interior-point run on the dual problem
     * max b^T ν subject to ℓ_c(ν) = ln sum_y exp(λ(a,y) + μ(b,y)) <= 0 for every pair c = (a,b),
     * whose multipliers are the pair masses s_c = q(a,b); the primal coupling is q(a,b,y) = s_c softmax_c(ν)_y.
     * Compared with a barrier on every cell of q, this has one complementarity pair (s_c, τ_c = -ℓ_c) per pair
     * instead of one per cell, no flat directions (q* need not be unique, ν* generically is), and constraints
     * whose curvature is bounded, so Newton's method behaves well all the way to the boundary.
     *
     * <p>Internally the sources are renamed a (eliminated side) and b (kept side, the one with fewer active
     * constraints), and values of a, b and y with zero marginal are dropped. Cells are stored densely per pair,
     * index (a * nb + b) * ny + y, with a mask for the allowed ones.
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
        final int nPairs;
        final int[] drop;
        final int[] kIdx;
        final int mK;

        // Dual iterate: multipliers ν = (λ, μ), slacks τ = -ℓ (driven there), pair masses s.
        final double[] lam;
        final double[] mu;
        final double[] tau;
        final double[] s;
        // Derived from ν.
        final double[] soft;
        final double[] ell;
        // Residuals: marginals of s * softmax against p, and ℓ + τ.
        final double[] rbE;
        final double[] rbK;
        final double[] rl;
        // Newton system.
        final double[] w;
        final double[] g;
        final int[] eIdx;
        final int[] eList;
        final int mE;
        final double[] lE;
        final double[] lKE;
        final double[] m;
        final double[] cholWork;
        final double[] inE;
        final double[] inK;
        final double[] uE;
        final double[] uEc;
        final double[] kVec;
        final double[] pcgX;
        final double[] pcgR;
        final double[] pcgZ;
        final double[] pcgP;
        final double[] pcgSp;
        long pcgIterations;
        final boolean[] inFactor;
        final double[] tPair;
        final double[] vPair;
        final double[] pInv;
        boolean closedForm;
        boolean allowClosedForm = true;
        final double[] tmp;
        final double[] dlam;
        final double[] dmu;
        final double[] dtau;
        final double[] ds;
        final double[] dtauAff;
        final double[] dsAff;
        final double[] target;
        // Primal estimate.
        final double[] q;

        double bestF = Double.POSITIVE_INFINITY;
        double[] bestQ;
        double bestLowerBound = Double.NEGATIVE_INFINITY;
        int iterations;
        double feasibility;
        String failure;
        boolean stalled;

        Ipm(JointDistribution p) {
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

            int n = na * nb * ny;
            allowed = new boolean[n];
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

            long activeE = 0;
            for (double x : pa) {
                if (x > 0) {
                    activeE++;
                }
            }
            if ((long) mK * activeE > MAX_DENSE_ENTRIES || (long) mK * mK > MAX_DENSE_ENTRIES) {
                throw new IllegalArgumentException("problem too large for the dense Newton factorisation: "
                        + activeE + " x " + mK + " coupling entries (limit " + MAX_DENSE_ENTRIES
                        + "); use fewer clusters or target values");
            }
            lam = new double[na * ny];
            mu = new double[nb * ny];
            tau = new double[na * nb];
            s = new double[na * nb];
            soft = new double[n];
            ell = new double[na * nb];
            rbE = new double[na * ny];
            rbK = new double[nb * ny];
            rl = new double[na * nb];
            w = new double[n];
            g = new double[na * nb];
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
            lE = new double[na * ny * ny];
            lKE = new double[mK * mE];
            m = new double[mK * mK];
            cholWork = DenseCholesky.workspace(mK);
            inE = new double[na * ny];
            inK = new double[nb * ny];
            uE = new double[na * ny];
            uEc = new double[mE];
            kVec = new double[mK];
            int len = (na + nb) * ny;
            pcgX = new double[len];
            pcgR = new double[len];
            pcgZ = new double[len];
            pcgP = new double[len];
            pcgSp = new double[len];
            inFactor = new boolean[na * nb];
            tPair = new double[n];
            vPair = new double[n];
            pInv = new double[na * ny * ny];
            tmp = new double[ny];
            dlam = new double[na * ny];
            dmu = new double[nb * ny];
            dtau = new double[na * nb];
            ds = new double[na * nb];
            dtauAff = new double[na * nb];
            dsAff = new double[na * nb];
            target = new double[na * nb];
            q = new double[n];
        }

        // ------------------------------------------------------------------ main loop

        void run(Options options, Terms terms) {
            double tolNats = options.gapToleranceBits() * LN2;
            double negTolBits = options.negativeToleranceBits();
            int maxIter = options.maxIterations();
            double[] gapHistory = new double[maxIter + 1];
            initialPoint();
            for (iterations = 0; ; iterations++) {
                evaluateDual();
                double comp = residuals();
                double lb = lowerBound();
                if (!Double.isFinite(lb) || !Double.isFinite(comp)) {
                    failure = "non-finite iterate (dual bound " + lb + ", complementarity " + comp + ")";
                    break;
                }
                bestLowerBound = Math.max(bestLowerBound, lb);
                if (relativeMarginalResidual() <= REPAIR_THRESHOLD) {
                    certifyPrimal();
                }
                double gap = bestF - bestLowerBound;
                gapHistory[iterations] = gap;
                if (gap <= tolNats) {
                    // R and S can only err downwards, by at most the gap: keep going while one of them looks
                    // negative beyond the tolerance and the gap could still settle its sign.
                    boolean signSettled = terms.worstSign(bestF) >= -negTolBits || gap <= negTolBits * LN2;
                    if (signSettled) {
                        break;
                    }
                }
                if (iterations >= maxIter) {
                    break;
                }
                if (iterations >= STALL_WINDOW && gap < ENDGAME_GAP_NATS
                        && gap > 0.5 * gapHistory[iterations - STALL_WINDOW]) {
                    stalled = true;
                    break;
                }
                if (!buildSystem()) {
                    failure = "Newton matrix not usable at iteration " + iterations;
                    break;
                }
                long pcgBefore = pcgIterations;
                // Predictor: complementarity target 0.
                Arrays.fill(target, 0);
                direction(dtauAff, dsAff);
                double aTau = stepToBoundary(tau, dtauAff, 1.0);
                double aS = stepToBoundary(s, dsAff, 1.0);
                double compAff = 0;
                for (int c = 0; c < tau.length; c++) {
                    if (pairActive[c]) {
                        compAff += (s[c] + aS * dsAff[c]) * (tau[c] + aTau * dtauAff[c]);
                    }
                }
                compAff /= nPairs;
                double ratio = Math.max(0.0, Math.min(1.0, compAff / comp));
                double sigma = ratio * ratio * ratio;
                // Corrector: centring to sigma * comp plus Mehrotra's second-order term. Complementarity far
                // below what the tolerance needs only makes τ tiny and the Newton matrix lose precision, so the
                // target stops at a small fraction of the tolerance per pair.
                double centre = Math.max(sigma * comp, COMPLEMENTARITY_FLOOR * tolNats / nPairs);
                for (int c = 0; c < tau.length; c++) {
                    target[c] = pairActive[c] ? centre - dsAff[c] * dtauAff[c] : 0;
                }
                direction(dtau, ds);
                if (closedForm && pcgIterations - pcgBefore > 4) {
                    // The closed-form Schur complement has started to lose accuracy: use the Gram product.
                    allowClosedForm = false;
                }
                // Fraction to the boundary tends to 1 as complementarity vanishes, keeping the fast local rate.
                double frac = Math.max(0.99, 1.0 - 10.0 * comp * nPairs);
                aTau = stepToBoundary(tau, dtau, frac);
                aS = stepToBoundary(s, ds, frac);
                for (int i = 0; i < lam.length; i++) {
                    lam[i] += aTau * dlam[i];
                }
                for (int i = 0; i < mu.length; i++) {
                    mu[i] += aTau * dmu[i];
                }
                for (int c = 0; c < tau.length; c++) {
                    if (pairActive[c]) {
                        tau[c] += aTau * dtau[c];
                        s[c] += aS * ds[c];
                    }
                }
            }
            feasibility = constraintResidual(bestQ);
        }

        private void initialPoint() {
            // ν with softmax_c(ν) proportional to p(a,y) p(b,y) / p(y): with s_c = sum_y of that, s * softmax is
            // the conditionally independent coupling, which lies in Δp, so the start is feasible on the marginals.
            double[] py = new double[ny];
            for (int a = 0; a < na; a++) {
                for (int y = 0; y < ny; y++) {
                    py[y] += pa[a * ny + y];
                }
            }
            for (int y = 0; y < ny; y++) {
                double shift = Math.log(pb[drop[y] * ny + y]) - Math.log(py[y]);
                for (int a = 0; a < na; a++) {
                    int i = a * ny + y;
                    lam[i] = pa[i] > 0 ? Math.log(pa[i]) + shift - 1.0 : 0;
                }
                for (int b = 0; b < nb; b++) {
                    int i = b * ny + y;
                    mu[i] = pb[i] > 0 && b != drop[y] ? Math.log(pb[i]) - Math.log(py[y]) - shift : 0;
                }
            }
            // The -1 above puts every ℓ_c at ln s_c - 1 < 0, so τ = -ℓ is positive.
            evaluateDual();
            for (int c = 0; c < tau.length; c++) {
                if (pairActive[c]) {
                    s[c] = Math.exp(ell[c] + 1.0);
                    tau[c] = -ell[c];
                }
            }
            // The conditionally independent coupling itself is exactly feasible: the first primal certificate.
            for (int a = 0; a < na; a++) {
                for (int b = 0; b < nb; b++) {
                    int off = (a * nb + b) * ny;
                    for (int y = 0; y < ny; y++) {
                        q[off + y] = allowed[off + y] ? pa[a * ny + y] * pb[b * ny + y] / py[y] : 0;
                    }
                }
            }
            bestQ = q.clone();
            bestF = objectiveAt(q);
        }

        /** ℓ_c and softmax_c for the current ν. */
        private void evaluateDual() {
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
                            double e = Math.exp(lam[a * ny + y] + mu[b * ny + y] - mx);
                            soft[off + y] = e;
                            sum += e;
                        } else {
                            soft[off + y] = 0;
                        }
                    }
                    double inv = 1.0 / sum;
                    for (int y = 0; y < ny; y++) {
                        soft[off + y] *= inv;
                    }
                    ell[c] = mx + Math.log(sum);
                }
            }
        }

        /** Fills rbE, rbK, rl; returns the average complementarity s.τ / nPairs. */
        private double residuals() {
            System.arraycopy(pa, 0, rbE, 0, pa.length);
            System.arraycopy(pb, 0, rbK, 0, pb.length);
            double comp = 0;
            for (int a = 0; a < na; a++) {
                for (int b = 0; b < nb; b++) {
                    int c = a * nb + b;
                    if (!pairActive[c]) {
                        rl[c] = 0;
                        continue;
                    }
                    int off = c * ny;
                    double sc = s[c];
                    for (int y = 0; y < ny; y++) {
                        double x = sc * soft[off + y];
                        rbE[a * ny + y] -= x;
                        rbK[b * ny + y] -= x;
                    }
                    rl[c] = ell[c] + tau[c];
                    comp += sc * tau[c];
                }
            }
            return comp / nPairs;
        }

        private double relativeMarginalResidual() {
            double worst = 0;
            for (int i = 0; i < rbE.length; i++) {
                if (pa[i] > 0) {
                    worst = Math.max(worst, Math.abs(rbE[i]) / pa[i]);
                }
            }
            for (int i = 0; i < rbK.length; i++) {
                if (pb[i] > 0) {
                    worst = Math.max(worst, Math.abs(rbK[i]) / pb[i]);
                }
            }
            return worst;
        }

        /** Weak-duality lower bound on min f from the current multipliers; valid for any ν. */
        private double lowerBound() {
            double obj = 0;
            for (int i = 0; i < lam.length; i++) {
                obj += lam[i] * pa[i];
            }
            for (int i = 0; i < mu.length; i++) {
                obj += mu[i] * pb[i];
            }
            double worst = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < ell.length; c++) {
                if (pairActive[c]) {
                    worst = Math.max(worst, ell[c]);
                }
            }
            // Shifting every λ by -worst makes all pair constraints hold and changes the objective by exactly
            // -worst, since the p(a,y) sum to one.
            return obj - worst;
        }

        /** Primal estimate s * softmax, moved onto Δp; keeps it if its objective is the best so far. */
        private void certifyPrimal() {
            buildPrimalEstimate();
            if (restoreMarginals(q, REPAIR_PASSES) || treeCorrection(q)) {
                acceptPrimal();
            }
        }

        private void buildPrimalEstimate() {
            for (int c = 0; c < na * nb; c++) {
                int off = c * ny;
                double sc = pairActive[c] ? s[c] : 0;
                for (int y = 0; y < ny; y++) {
                    q[off + y] = sc * soft[off + y];
                }
            }
        }

        private void acceptPrimal() {
            double f = objectiveAt(q);
            if (Double.isFinite(f) && f < bestF) {
                bestF = f;
                bestQ = q.clone();
            }
        }

        /**
         * Rescales x row- and column-wise in each y-slice (iterative proportional fitting) towards the
         * marginals. Multiplicative, so x stays positive; fast unless a slice is nearly disconnected, which is
         * what boundary optima look like. Returns true once the marginals hold to rounding.
         */
        private boolean restoreMarginals(double[] x, int maxPasses) {
            double[] rows = new double[na * ny];
            double[] cols = new double[nb * ny];
            for (int pass = 0; pass < maxPasses; pass++) {
                Arrays.fill(cols, 0);
                for (int c = 0; c < na * nb; c++) {
                    int b = c % nb;
                    int off = c * ny;
                    for (int y = 0; y < ny; y++) {
                        cols[b * ny + y] += x[off + y];
                    }
                }
                for (int i = 0; i < cols.length; i++) {
                    cols[i] = pb[i] > 0 ? pb[i] / cols[i] : 0;
                }
                Arrays.fill(rows, 0);
                for (int c = 0; c < na * nb; c++) {
                    int a = c / nb;
                    int b = c % nb;
                    int off = c * ny;
                    for (int y = 0; y < ny; y++) {
                        double val = x[off + y] * cols[b * ny + y];
                        x[off + y] = val;
                        rows[a * ny + y] += val;
                    }
                }
                double worst = 0;
                for (int i = 0; i < rows.length; i++) {
                    if (pa[i] > 0) {
                        worst = Math.max(worst, Math.abs(rows[i] - pa[i]) / pa[i]);
                        rows[i] = pa[i] / rows[i];
                    } else {
                        rows[i] = 0;
                    }
                }
                for (int c = 0; c < na * nb; c++) {
                    int a = c / nb;
                    int off = c * ny;
                    for (int y = 0; y < ny; y++) {
                        x[off + y] *= rows[a * ny + y];
                    }
                }
                if (worst <= 4e-16) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Makes x meet the marginals exactly with an additive correction carried by a maximum-weight spanning
         * tree of each slice's bipartite graph (rows a, columns b, edges = allowed cells weighted by x). On a
         * tree the correction is unique and runs through the largest cells, so a small residual stays small
         * relative to the cells it changes. Returns false, leaving x unusable, if a cell would go negative.
         */
        private boolean treeCorrection(double[] x) {
            int nodes = na + nb;
            double[] excess = new double[nodes];
            int[] parent = new int[nodes];
            int[] order = new int[nodes];
            double[] key = new double[nodes];
            boolean[] inTree = new boolean[nodes];
            for (int y = 0; y < ny; y++) {
                // Node i < na is row a = i, node na + b is column b. Excess = target - current sum.
                Arrays.fill(excess, 0);
                int active = 0;
                int root = -1;
                for (int a = 0; a < na; a++) {
                    if (pa[a * ny + y] > 0) {
                        active++;
                        excess[a] = pa[a * ny + y];
                        if (root < 0 || pa[a * ny + y] > pa[root * ny + y]) {
                            root = a;
                        }
                    }
                }
                for (int b = 0; b < nb; b++) {
                    if (pb[b * ny + y] > 0) {
                        active++;
                        excess[na + b] = pb[b * ny + y];
                    }
                }
                for (int a = 0; a < na; a++) {
                    for (int b = 0; b < nb; b++) {
                        int i = (a * nb + b) * ny + y;
                        if (allowed[i]) {
                            excess[a] -= x[i];
                            excess[na + b] -= x[i];
                        }
                    }
                }
                // Prim's algorithm on the complete bipartite graph of active rows and columns.
                Arrays.fill(inTree, false);
                Arrays.fill(key, -1.0);
                Arrays.fill(parent, -1);
                key[root] = Double.POSITIVE_INFINITY;
                for (int k = 0; k < active; k++) {
                    int best = -1;
                    for (int i = 0; i < nodes; i++) {
                        if (!inTree[i] && key[i] >= 0 && (best < 0 || key[i] > key[best])) {
                            best = i;
                        }
                    }
                    if (best < 0) {
                        return false;
                    }
                    inTree[best] = true;
                    order[k] = best;
                    if (best < na) {
                        for (int b = 0; b < nb; b++) {
                            int i = (best * nb + b) * ny + y;
                            if (allowed[i] && !inTree[na + b] && x[i] > key[na + b]) {
                                key[na + b] = x[i];
                                parent[na + b] = best;
                            }
                        }
                    } else {
                        int b = best - na;
                        for (int a = 0; a < na; a++) {
                            int i = (a * nb + b) * ny + y;
                            if (allowed[i] && !inTree[a] && x[i] > key[a]) {
                                key[a] = x[i];
                                parent[a] = best;
                            }
                        }
                    }
                }
                // Leaves first: each node's remaining excess flows over the edge to its parent.
                for (int k = active - 1; k > 0; k--) {
                    int node = order[k];
                    int par = parent[node];
                    int a = node < na ? node : par;
                    int b = node < na ? par - na : node - na;
                    int i = (a * nb + b) * ny + y;
                    double flow = excess[node];
                    double val = x[i] + flow;
                    if (val < 0) {
                        return false;
                    }
                    x[i] = val;
                    excess[node] = 0;
                    excess[par] -= flow;
                }
            }
            return true;
        }

        /** f(x) = sum x ln(x / x(a,b)) in nats. */
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
                    double xv = x[off + y];
                    if (xv > 0) {
                        f += xv * Math.log(xv / sc);
                    }
                }
            }
            return f;
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
         * Factors the Newton matrix S = A K A^T, where per pair K_c = s (diag r - r r^T) + (s/τ) r r^T
         * = diag(w) + g w w^T with w = s r, g = (1/τ - 1)/s and r = softmax_c. Ordered a-side first, S is
         * [[S_EE, S_EK], [S_KE, S_KK]] with S_EE block diagonal (one |Y| x |Y| block per value of a), so its
         * Cholesky factor is [[L_EE, 0], [L_KE, L_M]] with L_KE = S_KE L_EE^{-T} and L_M the factor of
         * M = S_KK - L_KE L_KE^T. This is exactly the arithmetic of a dense Cholesky of S without the zero
         * blocks; forming M through explicit inverses instead loses all accuracy once s/τ reaches 1e10 or so.
         */
        private boolean buildSystem() {
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
            double maxInvTau = 0;
            for (int c = 0; c < na * nb; c++) {
                if (inFactor[c]) {
                    maxInvTau = Math.max(maxInvTau, 1.0 / tau[c]);
                }
            }
            closedForm = allowClosedForm && maxInvTau <= CLOSED_FORM_LIMIT;
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
                if (closedForm) {
                    // P_a = S_EE[a]^{-1} = L_a^{-T} L_a^{-1}, for the closed-form Schur complement.
                    int po = a * ny * ny;
                    for (int i = 0; i < ny; i++) {
                        for (int j = 0; j < ny; j++) {
                            double x = 0;
                            for (int r = Math.max(i, j); r < ny; r++) {
                                x += linv[r * ny + i] * linv[r * ny + j];
                            }
                            pInv[po + i * ny + j] = x;
                        }
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
                        tPair[off + i] = x;
                    }
                    if (closedForm) {
                        // v = g P w = g L^{-T} t
                        for (int i = 0; i < ny; i++) {
                            double x = 0;
                            for (int r = i; r < ny; r++) {
                                x += linv[r * ny + i] * t[r];
                            }
                            vPair[off + i] = g[c] * x;
                        }
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
            if (closedForm) {
                subtractGramClosedForm();
            } else {
                DenseCholesky.subtractGram(m, mK, lKE, mE);
            }
            return DenseCholesky.factor(m, mK, cholWork, PIVOT_TOLERANCE) >= 0;
        }

        /**
         * M -= L_KE L_KE^T block by block in closed form: for pairs c = (a,b), c' = (a,b') the product is
         * w_c[y] w_c'[y'] (P[y,y'] + v_c'[y] + v_c[y'] + g_c g_c' t_c.t_c'), with t = L_a^{-1} w and
         * v = g P w. O(|Y|^2) instead of O(|Y|^3) per pair of pairs, but its four terms cancel once s/τ is
         * large, so it is used only while the scales are moderate.
         */
        private void subtractGramClosedForm() {
            double[] acc = new double[ny * ny];
            double[] h = new double[ny];
            for (int b = 0; b < nb; b++) {
                for (int b2 = 0; b2 <= b; b2++) {
                    Arrays.fill(acc, 0);
                    for (int a = 0; a < na; a++) {
                        int c = a * nb + b;
                        int c2 = a * nb + b2;
                        if (!inFactor[c] || !inFactor[c2]) {
                            continue;
                        }
                        int o = c * ny;
                        int o2 = c2 * ny;
                        int po = a * ny * ny;
                        double cc = 0;
                        for (int y = 0; y < ny; y++) {
                            cc += tPair[o + y] * tPair[o2 + y];
                        }
                        cc *= g[c] * g[c2];
                        for (int y = 0; y < ny; y++) {
                            h[y] = w[o2 + y] * vPair[o + y];
                        }
                        for (int y = 0; y < ny; y++) {
                            double alpha = w[o + y];
                            if (alpha == 0) {
                                continue;
                            }
                            double beta = vPair[o2 + y] + cc;
                            int r = y * ny;
                            int pr = po + r;
                            for (int yy = 0; yy < ny; yy++) {
                                acc[r + yy] += alpha * (w[o2 + yy] * (pInv[pr + yy] + beta) + h[yy]);
                            }
                        }
                    }
                    for (int y = 0; y < ny; y++) {
                        int i = kIdx[b * ny + y];
                        if (i < 0) {
                            continue;
                        }
                        int ri = i * mK;
                        for (int yy = 0; yy < ny; yy++) {
                            int j = kIdx[b2 * ny + yy];
                            if (j >= 0 && j <= i) {
                                m[ri + j] -= acc[y * ny + yy];
                            }
                        }
                    }
                }
            }
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
         * Search direction for the current complementarity targets: from
         * A K A^T dν = r_b - sum_c J_c^T r_c h_c, h_c = (target_c - s τ + s (ℓ + τ)) / τ, then
         * dτ = -(ℓ + τ) - r^T J dν and ds = (target - s τ - s dτ) / τ.
         */
        private void direction(double[] dTau, double[] dS) {
            System.arraycopy(rbE, 0, inE, 0, rbE.length);
            System.arraycopy(rbK, 0, inK, 0, rbK.length);
            for (int a = 0; a < na; a++) {
                for (int b = 0; b < nb; b++) {
                    int c = a * nb + b;
                    if (!pairActive[c]) {
                        continue;
                    }
                    double hc = (target[c] - s[c] * tau[c] + s[c] * rl[c]) / tau[c];
                    int off = c * ny;
                    for (int y = 0; y < ny; y++) {
                        double x = soft[off + y] * hc;
                        inE[a * ny + y] -= x;
                        inK[b * ny + y] -= x;
                    }
                }
            }
            solveNormal();
            for (int a = 0; a < na; a++) {
                for (int b = 0; b < nb; b++) {
                    int c = a * nb + b;
                    if (!pairActive[c]) {
                        continue;
                    }
                    int off = c * ny;
                    double jd = 0;
                    for (int y = 0; y < ny; y++) {
                        jd += soft[off + y] * (dlam[a * ny + y] + dmu[b * ny + y]);
                    }
                    dTau[c] = -rl[c] - jd;
                    dS[c] = (target[c] - s[c] * tau[c] - s[c] * dTau[c]) / tau[c];
                }
            }
        }

        /**
         * Solves A K A^T (dλ, dμ) = (inE, inK): conjugate gradients on the exact matrix-free operator,
         * preconditioned by the Cholesky factorisation, which usually makes the first solve final but repairs
         * it when rounding or dropped pivots have cost accuracy late in the run.
         */
        private void solveNormal() {
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
                precondition(r, z);
                System.arraycopy(z, 0, pDir, 0, z.length);
                double rz = dot(r, z);
                for (; it < PCG_MAX_ITERATIONS && res > PCG_TOLERANCE * rhsNorm && rz > 0; it++) {
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
                    precondition(r, z);
                    double rzNew = dot(r, z);
                    double beta = rzNew / rz;
                    rz = rzNew;
                    for (int i = 0; i < pDir.length; i++) {
                        pDir[i] = z[i] + beta * pDir[i];
                    }
                }
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
                if (k < 0) {
                    continue;
                }
                double t = in[ne + i];
                int row = k * mE;
                for (int e = 0; e < mE; e++) {
                    t -= lKE[row + e] * uEc[e];
                }
                kVec[k] = t;
            }
            DenseCholesky.solve(m, mK, kVec);
            for (int k = 0; k < mK; k++) {
                double xk = kVec[k];
                if (xk == 0) {
                    continue;
                }
                int row = k * mE;
                for (int e = 0; e < mE; e++) {
                    uEc[e] -= lKE[row + e] * xk;
                }
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

        private double stepToBoundary(double[] x, double[] dx, double frac) {
            double alpha = 1.0;
            for (int c = 0; c < x.length; c++) {
                if (pairActive[c] && dx[c] < 0) {
                    double t = -frac * x[c] / dx[c];
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
}
