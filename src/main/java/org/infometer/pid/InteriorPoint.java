package org.infometer.pid;

import java.util.Arrays;

/**
 * One interior-point run on the dual problem
 * max b^T ν subject to ℓ_c(ν) = ln sum_y exp(λ(a,y) + μ(b,y)) <= 0 for every pair c = (a,b),
 * whose multipliers are the pair masses s_c = q(a,b); the primal coupling is q(a,b,y) = s_c softmax_c(ν)_y.
 * Compared with a barrier on every cell of q, this has one complementarity pair (s_c, τ_c = -ℓ_c) per pair
 * instead of one per cell, no flat directions (q* need not be unique, ν* generically is), and constraints
 * whose curvature is bounded, so Newton's method behaves well all the way to the boundary.
 *
 * <p>The support and index maps are in {@link PairLayout}, the Newton matrix in {@link NewtonSystem}, the
 * projection of primal estimates onto Δp in {@link PrimalRepair}.
 */
final class InteriorPoint {

    private static final double LN2 = Math.log(2.0);

    /** Certify (repair and evaluate) the primal estimate once its marginals are this close, relatively. */
    private static final double REPAIR_THRESHOLD = 1e-3;
    /**
     * Lowest complementarity target per pair, as a fraction of the gap tolerance spread over the pairs, of the
     * first run and of the second one when the first ends uncertified. The complementarity need only be a
     * small part of the gap; driving it further only makes τ tiny and the Newton matrix lose precision. Where
     * rounding starts to cost the last digits depends on the CPU's BLAS kernels: at 0.01, 1/τ reached 1e15
     * and sparse 64 x 64 x 16 problems stalled just above the tolerance; at 0.1, one of 240 such draws stalled
     * at 3.5e-12 bits on an AVX-512 machine (a draw that converged on an AVX2 one); at 0.3 and 0.5 none of the
     * 240 did.
     */
    static final double COMPLEMENTARITY_FLOOR = 0.3;
    static final double SECOND_COMPLEMENTARITY_FLOOR = 0.1;
    /** Stop as stalled when the gap has not halved over this many iterations. */
    private static final int STALL_WINDOW = 6;
    /** Stalls are only judged once the gap is this small (nats); before that the primal side lags by design. */
    private static final double ENDGAME_GAP_NATS = 1e-6;

    private final PairLayout layout;
    private final double complementarityFloor;
    private final NewtonSystem newton;
    private final PrimalRepair repair;
    private final int na;
    private final int nb;
    private final int ny;
    private final double[] pa;
    private final double[] pb;
    private final boolean[] allowed;
    private final boolean[] pairActive;
    private final int nPairs;
    private final int[] drop;

    // Dual iterate: multipliers ν = (λ, μ), slacks τ = -ℓ (driven there), pair masses s.
    private final double[] lam;
    private final double[] mu;
    private final double[] tau;
    private final double[] s;
    // Derived from ν.
    private final double[] soft;
    private final double[] ell;
    // Residuals: marginals of s * softmax against p, and ℓ + τ.
    private final double[] rbE;
    private final double[] rbK;
    private final double[] rl;
    // Newton right-hand sides and steps.
    private final double[] inE;
    private final double[] inK;
    private final double[] dlam;
    private final double[] dmu;
    private final double[] dtau;
    private final double[] ds;
    private final double[] dtauAff;
    private final double[] dsAff;
    private final double[] target;
    // Primal estimate.
    private final double[] q;

    double bestF = Double.POSITIVE_INFINITY;
    double[] bestQ;
    double bestLowerBound = Double.NEGATIVE_INFINITY;
    int iterations;
    /** Interior-point runs whose bounds this one holds: 2 after {@link #absorb}. */
    int runs = 1;
    double feasibility;
    String failure;
    boolean stalled;

    InteriorPoint(PairLayout layout, double complementarityFloor) {
        this.layout = layout;
        this.complementarityFloor = complementarityFloor;
        na = layout.na;
        nb = layout.nb;
        ny = layout.ny;
        pa = layout.pa;
        pb = layout.pb;
        allowed = layout.allowed;
        pairActive = layout.pairActive;
        nPairs = layout.nPairs;
        drop = layout.drop;
        newton = new NewtonSystem(layout);
        repair = new PrimalRepair(layout);
        int n = layout.cells();
        int pairs = layout.pairs();
        lam = new double[na * ny];
        mu = new double[nb * ny];
        tau = new double[pairs];
        s = new double[pairs];
        soft = new double[n];
        ell = new double[pairs];
        rbE = new double[na * ny];
        rbK = new double[nb * ny];
        rl = new double[pairs];
        inE = new double[na * ny];
        inK = new double[nb * ny];
        dlam = new double[na * ny];
        dmu = new double[nb * ny];
        dtau = new double[pairs];
        ds = new double[pairs];
        dtauAff = new double[pairs];
        dsAff = new double[pairs];
        target = new double[pairs];
        q = new double[n];
    }

    /**
     * Takes the other run's bounds where they are better: both runs bound the same optimum, so the best primal
     * value of either and the best dual bound of either make a certificate as rigorous as one run's.
     */
    void absorb(InteriorPoint other) {
        if (other.bestF < bestF) {
            bestF = other.bestF;
            bestQ = other.bestQ;
        }
        bestLowerBound = Math.max(bestLowerBound, other.bestLowerBound);
        iterations += other.iterations;
        runs += other.runs;
        // Reported as a numerical failure only when both runs failed, as a stall when each either stalled or
        // failed, otherwise as the iteration limit.
        boolean bothFailed = failure != null && other.failure != null;
        stalled = !bothFailed && (stalled || failure != null) && (other.stalled || other.failure != null);
        failure = bothFailed ? failure : null;
        feasibility = layout.constraintResidual(bestQ);
    }

    /**
     * Whether the bounds so far certify the result: the gap within the tolerance, and the signs of R and S settled.
     * R and S can only err downwards, by at most the gap: a run goes on while one of them looks negative beyond
     * the tolerance and the gap could still settle its sign.
     */
    boolean certified(BrojaSolver.Options options, BrojaSolver.Terms terms) {
        double gap = bestF - bestLowerBound;
        double negTolBits = options.negativeToleranceBits();
        return gap <= options.gapToleranceBits() * LN2
                && (terms.worstSign(bestF) >= -negTolBits || gap <= negTolBits * LN2);
    }

    /** The best coupling found, in the input's sizes and variable order. */
    JointDistribution optimum(JointDistribution p) {
        return layout.expand(p, bestQ);
    }

    void run(BrojaSolver.Options options, BrojaSolver.Terms terms) {
        double tolNats = options.gapToleranceBits() * LN2;
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
            if (certified(options, terms)) {
                break;
            }
            if (iterations >= maxIter) {
                break;
            }
            if (iterations >= STALL_WINDOW && gap < ENDGAME_GAP_NATS
                    && gap > 0.5 * gapHistory[iterations - STALL_WINDOW]) {
                stalled = true;
                break;
            }
            if (!newton.factor(s, tau, soft)) {
                failure = "Newton matrix not usable at iteration " + iterations;
                break;
            }
            // Predictor: complementarity target 0.
            Arrays.fill(target, 0);
            direction(dtauAff, dsAff);
            if (relativeMarginalResidual() <= REPAIR_THRESHOLD) {
                // The full predictor step aims at complementarity zero; its bounds are valid wherever it lands,
                // and near the end they are the better ones, before the Newton matrix loses its accuracy.
                certifyPredictorPoint();
                if (certified(options, terms)) {
                    iterations++;
                    break;
                }
            }
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
            double centre = Math.max(sigma * comp, complementarityFloor * tolNats / nPairs);
            for (int c = 0; c < tau.length; c++) {
                target[c] = pairActive[c] ? centre - dsAff[c] * dtauAff[c] : 0;
            }
            direction(dtau, ds);
            // Fraction to the boundary tends to 1 as complementarity vanishes, keeping the fast local rate.
            double frac = Math.max(0.99, 1.0 - 10.0 * comp * nPairs);
            aTau = stepToBoundary(tau, dtau, frac);
            aS = stepToBoundary(s, ds, frac);
            takeSafeguardedStep(aTau, aS);
        }
        feasibility = layout.constraintResidual(bestQ);
    }

    private void takeStep(double aTau, double aS) {
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

    /**
     * The step, halved (up to three times) while it would throw the marginals out of the range where the
     * primal estimate is certified, and more than 100 times further off than they are: late in a run the Newton direction is only as accurate as the ill-conditioned matrix
     * allows, and a full step along an inaccurate direction leaves an iterate the method does not recover from.
     */
    private void takeSafeguardedStep(double aTau, double aS) {
        double before = relativeMarginalResidual();
        if (before > REPAIR_THRESHOLD) {
            // Early on the marginals are far off anyway and the full step is what brings them in.
            takeStep(aTau, aS);
            return;
        }
        double[] lam0 = lam.clone();
        double[] mu0 = mu.clone();
        double[] tau0 = tau.clone();
        double[] s0 = s.clone();
        for (int tries = 0; ; tries++) {
            takeStep(aTau, aS);
            if (tries == 3) {
                return;
            }
            evaluateDual();
            residuals();
            double after = relativeMarginalResidual();
            if (!(after > Math.max(100 * before, REPAIR_THRESHOLD))) {
                return;
            }
            System.arraycopy(lam0, 0, lam, 0, lam.length);
            System.arraycopy(mu0, 0, mu, 0, mu.length);
            System.arraycopy(tau0, 0, tau, 0, tau.length);
            System.arraycopy(s0, 0, s, 0, s.length);
            aTau *= 0.5;
            aS *= 0.5;
        }
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
        bestF = layout.objective(q);
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

    /**
     * Scores the full predictor step (ν + dν_aff, s + ds_aff, masses clipped at zero) without moving the
     * iterate there.
     */
    private void certifyPredictorPoint() {
        double[] lamNow = lam.clone();
        double[] muNow = mu.clone();
        double[] softNow = soft.clone();
        double[] ellNow = ell.clone();
        for (int i = 0; i < lam.length; i++) {
            lam[i] += dlam[i];
        }
        for (int i = 0; i < mu.length; i++) {
            mu[i] += dmu[i];
        }
        evaluateDual();
        double lb = lowerBound();
        if (Double.isFinite(lb)) {
            bestLowerBound = Math.max(bestLowerBound, lb);
        }
        for (int c = 0; c < na * nb; c++) {
            int off = c * ny;
            double sc = pairActive[c] ? Math.max(0.0, s[c] + dsAff[c]) : 0;
            for (int y = 0; y < ny; y++) {
                q[off + y] = sc * soft[off + y];
            }
        }
        if (repair.repair(q)) {
            acceptPrimal();
        }
        fitMassesOnSupport();
        System.arraycopy(lamNow, 0, lam, 0, lam.length);
        System.arraycopy(muNow, 0, mu, 0, mu.length);
        System.arraycopy(softNow, 0, soft, 0, soft.length);
        System.arraycopy(ellNow, 0, ell, 0, ell.length);
    }

    /** Largest support for which {@link #fitMassesOnSupport} solves its dense least-squares problem. */
    private static final int MAX_FIT_PAIRS = 1500;

    /**
     * The primal estimate for the current softmax with the pair masses fitted to p's marginals by least
     * squares over the pairs that keep mass (s >= τ): q = s softmax(ν) is optimal for the optimal ν and the
     * right masses, and near the end ν is far more accurate than the iterate's own masses, whose marginals
     * carry the Newton system's rounding. Skipped when that support is large (dense problems, whose
     * masses the iterate gets right anyway) or larger than the marginals can determine.
     */
    private void fitMassesOnSupport() {
        int[] support = new int[na * nb];
        int k = 0;
        for (int c = 0; c < na * nb; c++) {
            if (pairActive[c] && s[c] >= tau[c]) {
                support[k++] = c;
            }
        }
        // More pairs than independent marginal equations ((na + nb - 1) ny: the y-marginal is counted by both
        // sides) leave the masses undetermined and the normal matrix singular: such fits never gave the best
        // primal point (404 solves compared bit for bit) and took three quarters of this method's time.
        if (k == 0 || k > MAX_FIT_PAIRS || k > (na + nb - 1) * ny) {
            return;
        }
        // Normal equations G x = B^T p, B's column for pair (a,b) = its softmax on the rows (a,y) and (b,y).
        double[] gm = new double[k * k];
        double[] rhs = new double[k];
        for (int i = 0; i < k; i++) {
            int c = support[i];
            int a = c / nb;
            int b = c % nb;
            int off = c * ny;
            double t = 0;
            for (int y = 0; y < ny; y++) {
                t += soft[off + y] * (pa[a * ny + y] + pb[b * ny + y]);
            }
            rhs[i] = t;
            for (int j = 0; j <= i; j++) {
                int c2 = support[j];
                int a2 = c2 / nb;
                int b2 = c2 % nb;
                if (a2 != a && b2 != b) {
                    continue;
                }
                int off2 = c2 * ny;
                double d = 0;
                for (int y = 0; y < ny; y++) {
                    d += soft[off + y] * soft[off2 + y];
                }
                gm[i * k + j] = (a2 == a ? d : 0) + (b2 == b ? d : 0);
            }
        }
        if (DenseCholesky.factor(gm, k, DenseCholesky.workspace(k), 1e-14) < 0) {
            return;
        }
        DenseCholesky.solve(gm, k, rhs);
        Arrays.fill(q, 0);
        for (int i = 0; i < k; i++) {
            int off = support[i] * ny;
            double sc = Math.max(0.0, rhs[i]);
            for (int y = 0; y < ny; y++) {
                q[off + y] = sc * soft[off + y];
            }
        }
        if (repair.repair(q)) {
            acceptPrimal();
        }
    }

    /** Primal estimate s * softmax, moved onto Δp; keeps it if its objective is the best so far. */
    private void certifyPrimal() {
        buildPrimalEstimate(false);
        if (repair.repair(q)) {
            acceptPrimal();
        }
        // The same estimate with the pairs that are on their way to zero mass (s < τ: s τ is about the same
        // for every pair, so these are the ones whose s is far below their τ) emptied: their s τ is most of
        // what the iterate's own gap is made of, and the optimum carries no mass there.
        buildPrimalEstimate(true);
        if (repair.repair(q)) {
            acceptPrimal();
        }
    }

    /** s * softmax, optionally without the pairs whose mass is below their slack. */
    private void buildPrimalEstimate(boolean purify) {
        for (int c = 0; c < na * nb; c++) {
            int off = c * ny;
            double sc = pairActive[c] && !(purify && s[c] < tau[c]) ? s[c] : 0;
            for (int y = 0; y < ny; y++) {
                q[off + y] = sc * soft[off + y];
            }
        }
    }

    private void acceptPrimal() {
        double f = layout.objective(q);
        if (Double.isFinite(f) && f < bestF) {
            bestF = f;
            bestQ = q.clone();
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
        newton.solve(inE, inK, dlam, dmu);
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
}

