package org.infometer.pid;

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
 * constraint per y is dropped); the Gram update and the dense factorisation run on the BLAS's dgemm. Near the
 * end the matrix spans many orders of magnitude, so the factorisation only preconditions conjugate gradients
 * on the exact matrix-free operator, which stop once rounding in the operator stops them making progress.
 * Each iteration also scores the full predictor step (complementarity zero), which certifies the optimum one
 * iteration before the iterate itself would, when the Newton matrix is at its least accurate. A run that still
 * ends above the tolerance (rounding in the last digits differs with the CPU's BLAS kernels) is followed by
 * one run towards a lower complementarity floor, and the better bounds of the two make the certificate.
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

    /**
     * Solver settings.
     *
     * @param gapToleranceBits      stop once the certified duality gap is at most this (bits)
     * @param maxIterations         iteration limit of one interior-point run (a run that ends uncertified is
     *                              followed by one more, so a result may count up to twice this)
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

        PairLayout layout = new PairLayout(p);
        if (layout.ny <= 1) {
            // A constant target: every information term is exactly zero and Δp = {p}.
            PidResult r = new PidResult(0, 0, 0, 0, i1, i2, iJoint, PidResult.complementarityOf(0, iJoint),
                    PidResult.complementarityNoteOf(iJoint), 0, 0, 0, true, PidResult.Status.TRIVIAL,
                    "Y takes a single value: all terms are zero");
            return new Solution(r, p);
        }
        Terms fixed = new Terms(hY, i1, i2, iJoint);
        InteriorPoint ipm = new InteriorPoint(layout, InteriorPoint.COMPLEMENTARITY_FLOOR);
        ipm.run(options, fixed);
        if (!ipm.certified(options, fixed)) {
            // The last digits of the gap are where rounding in the Newton matrix decides, and that depends
            // on the CPU's BLAS kernels: a run towards a different complementarity floor meets the rounding
            // elsewhere, and the two runs' bounds combine.
            InteriorPoint second = new InteriorPoint(layout, InteriorPoint.SECOND_COMPLEMENTARITY_FLOOR);
            second.run(options, fixed);
            ipm.absorb(second);
        }

        double gapBits = Math.max(0.0, (ipm.bestF - ipm.bestLowerBound) / LN2);
        double iq = fixed.iqBits(ipm.bestF);
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
        if (ipm.runs > 1) {
            msg.append("; ").append(ipm.runs).append(" interior-point runs, their best bounds combined");
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
    record Terms(double hYBits, double i1Bits, double i2Bits, double iJointBits) {

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
}
