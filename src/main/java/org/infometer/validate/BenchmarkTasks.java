package org.infometer.validate;

import org.apache.commons.math3.special.Erf;
import org.apache.commons.math3.special.Gamma;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

/**
 * The validation suite: tasks of the families of the bmi benchmark (Czyż et al., "Beyond Normal", NeurIPS 2023),
 * defined here from the paper's descriptions and the closed forms in the project's MI reference. Bases are
 * multivariate normal, Student-t or additive uniform noise; transforms are monotone per channel (normal CDF,
 * half-cube, wiggly, bimodal quantile, asinh) or norm-preserving (spiral) or an embedding (swiss roll), all
 * invertible on each modality, so the truth is the base's MI.
 */
public final class BenchmarkTasks {

    private BenchmarkTasks() {
    }

    /** Every task, in a fixed order (families together). */
    public static List<BenchmarkTask> all() {
        List<BenchmarkTask> t = new ArrayList<>();
        t.add(pairs("normal-1v1-0.75", "multinormal", 1, 1, 1, 0.75, null, null));
        for (int d : new int[] {2, 5, 25, 50}) {
            t.add(dense(d));
        }
        for (int d : new int[] {3, 5, 25, 50}) {
            t.add(pairs("sparse-" + d + "v" + d, "multinormal-sparse", d, d, 2, 0.8, null, null));
        }
        DoubleUnaryOperator cdf = BenchmarkTasks::normalCdf;
        t.add(pairs("uniform-margins-1v1", "uniform-margins", 1, 1, 1, 0.75, cdf, cdf));
        t.add(pairs("uniform-margins-5v5", "uniform-margins", 5, 5, 2, 0.8, cdf, cdf));
        DoubleUnaryOperator halfCube = v -> v * Math.sqrt(Math.abs(v));
        t.add(pairs("half-cube-1v1", "half-cube", 1, 1, 1, 0.75, halfCube, halfCube));
        t.add(pairs("half-cube-5v5", "half-cube", 5, 5, 2, 0.8, halfCube, halfCube));
        t.add(pairs("wiggly-1v1", "wiggly", 1, 1, 1, 0.75, BenchmarkTasks::wigglyX, BenchmarkTasks::wigglyY));
        t.add(pairs("bimodal-1v1", "bimodal", 1, 1, 1, 0.75, BIMODAL_X::quantileOfNormal,
                BIMODAL_Y::quantileOfNormal));
        t.add(additive(0.1));
        t.add(additive(0.75));
        for (int nu : new int[] {1, 2, 5}) {
            t.add(student(1, nu, null));
            t.add(student(5, nu, null));
        }
        t.add(student(1, 1, "asinh"));
        t.add(student(3, 2, "asinh"));
        t.add(spiral(3));
        t.add(spiral(5));
        t.add(swissRoll());
        t.add(new BenchmarkTask("independent-256v256", "independent", 256, 256, 0, 600, (rnd, x, y) -> {
            fillNormal(rnd, x);
            fillNormal(rnd, y);
        }));
        return List.copyOf(t);
    }

    /** The tasks by name, in suite order. */
    public static Map<String, BenchmarkTask> byName() {
        Map<String, BenchmarkTask> m = new LinkedHashMap<>();
        all().forEach(task -> m.put(task.name(), task));
        return m;
    }

    /** The quick subset the test suite runs: one task of each kind of difficulty, small and fast. */
    public static List<String> quick() {
        return List.of("normal-1v1-0.75", "sparse-5v5", "student-t-1v1-nu1", "additive-noise-0.75",
                "independent-256v256");
    }

    // ----- closed forms

    /** MI (nats) of k independent normal pairs with correlation rho. */
    static double pairsMi(int k, double rho) {
        return -0.5 * k * Math.log1p(-rho * rho);
    }

    /** MI (nats) of d + d normal variables, all pairwise correlated rho: from the equicorrelation determinant. */
    static double equicorrelatedMi(int d, double rho) {
        return 0.5 * (2 * lnDetEquicorrelation(d, rho) - lnDetEquicorrelation(2 * d, rho));
    }

    private static double lnDetEquicorrelation(int n, double rho) {
        return (n - 1) * Math.log1p(-rho) + Math.log1p((n - 1) * rho);
    }

    /** MI (nats) of a multivariate Student-t with identity dispersion split into dx + dy. */
    static double studentMi(int dx, int dy, double nu) {
        return studentH(dx, nu) + studentH(dy, nu) - studentH(dx + dy, nu);
    }

    private static double studentH(int k, double nu) {
        double a = (nu + k) / 2;
        double b = nu / 2;
        return -Gamma.logGamma(a) + Gamma.logGamma(b) + a * (Gamma.digamma(a) - Gamma.digamma(b));
    }

    /** MI (nats) of X ~ U(0, 1), Y = X + U(-e, e). */
    static double additiveMi(double e) {
        return e <= 0.5 ? e - Math.log(2 * e) : 1 / (4 * e);
    }

    // ----- families

    private static BenchmarkTask pairs(String name, String family, int dx, int dy, int k, double rho,
                                       DoubleUnaryOperator fx, DoubleUnaryOperator fy) {
        double c = Math.sqrt(1 - rho * rho);
        return new BenchmarkTask(name, family, dx, dy, pairsMi(k, rho), 0, (rnd, x, y) -> {
            fillNormal(rnd, x);
            fillNormal(rnd, y);
            for (int i = 0; i < k; i++) {
                y[i] = rho * x[i] + c * y[i];
            }
            apply(fx, x);
            apply(fy, y);
        });
    }

    private static BenchmarkTask dense(int d) {
        double rho = 0.5;
        return new BenchmarkTask("dense-" + d + "v" + d, "multinormal-dense", d, d, equicorrelatedMi(d, rho), 0,
                (rnd, x, y) -> {
                    double g = rnd.nextGaussian();
                    for (int i = 0; i < d; i++) {
                        x[i] = Math.sqrt(rho) * g + Math.sqrt(1 - rho) * rnd.nextGaussian();
                        y[i] = Math.sqrt(rho) * g + Math.sqrt(1 - rho) * rnd.nextGaussian();
                    }
                });
    }

    private static BenchmarkTask additive(double e) {
        return new BenchmarkTask("additive-noise-" + e, "additive-noise", 1, 1, additiveMi(e), 0, (rnd, x, y) -> {
            x[0] = rnd.nextDouble();
            y[0] = x[0] + e * (2 * rnd.nextDouble() - 1);
        });
    }

    /** (x, y) = N / sqrt(chi2_nu / nu): one chi-square per token, shared by all its channels. */
    private static BenchmarkTask student(int d, int nu, String warp) {
        String name = (warp == null ? "" : warp + "-") + "student-t-" + d + "v" + d + "-nu" + nu;
        return new BenchmarkTask(name, warp == null ? "student-t" : "asinh-student-t", d, d, studentMi(d, d, nu), 0,
                (rnd, x, y) -> {
                    double chi2 = 0;
                    for (int i = 0; i < nu; i++) {
                        double g = rnd.nextGaussian();
                        chi2 += g * g;
                    }
                    double s = 1 / Math.sqrt(chi2 / nu);
                    for (int i = 0; i < d; i++) {
                        x[i] = s * rnd.nextGaussian();
                        y[i] = s * rnd.nextGaussian();
                    }
                    if (warp != null) {
                        apply(BenchmarkTasks::asinh, x);
                        apply(BenchmarkTasks::asinh, y);
                    }
                });
    }

    /**
     * Spiral on the 2-pair sparse normal: each modality's first two coordinates are rotated by an angle that
     * grows with the squared norm (speed 1/3 rad per unit). Rotations keep the norm, so the map is invertible.
     */
    private static BenchmarkTask spiral(int d) {
        BenchmarkTask base = pairs("base", "base", d, d, 2, 0.8, null, null);
        return new BenchmarkTask("spiral-" + d + "v" + d, "spiral", d, d, base.truthNats(), 0, (rnd, x, y) -> {
            base.sampler().draw(rnd, x, y);
            rotateByNorm(x, 1.0 / 3);
            rotateByNorm(y, 1.0 / 3);
        });
    }

    private static void rotateByNorm(double[] v, double speed) {
        double n2 = 0;
        for (double a : v) {
            n2 += a * a;
        }
        double th = speed * n2;
        double c = Math.cos(th);
        double s = Math.sin(th);
        double a = v[0];
        double b = v[1];
        v[0] = c * a - s * b;
        v[1] = s * a + c * b;
    }

    /** Swiss roll: X's uniform margin of a correlated normal pair rolled into the plane; Y stays 1-d. */
    private static BenchmarkTask swissRoll() {
        double rho = 0.75;
        double c = Math.sqrt(1 - rho * rho);
        return new BenchmarkTask("swiss-roll-2v1", "swiss-roll", 2, 1, pairsMi(1, rho), 0, (rnd, x, y) -> {
            double a = rnd.nextGaussian();
            y[0] = rho * a + c * rnd.nextGaussian();
            double t = 1.5 * Math.PI * (1 + 2 * normalCdf(a));
            x[0] = t * Math.cos(t) / 10;
            x[1] = t * Math.sin(t) / 10;
        });
    }

    // ----- transforms

    static double normalCdf(double v) {
        return 0.5 * Erf.erfc(-v / Math.sqrt(2));
    }

    static double asinh(double v) {
        return Math.log(v + Math.sqrt(v * v + 1));
    }

    /** Strictly increasing (derivative at least 0.06): x + 0.3 sin x + 0.2 sin(1.7x + 1) + 0.1 sin(3x + 2). */
    static double wigglyX(double v) {
        return v + 0.3 * Math.sin(v) + 0.2 * Math.sin(1.7 * v + 1) + 0.1 * Math.sin(3 * v + 2);
    }

    /** Strictly increasing (derivative at least 0.29): y + 0.3 sin(1.3y + 0.5) + 0.15 sin(2.1y). */
    static double wigglyY(double v) {
        return v + 0.3 * Math.sin(1.3 * v + 0.5) + 0.15 * Math.sin(2.1 * v);
    }

    /** A two-component normal mixture; its quantile of Phi(v) is an increasing map of N(0,1) onto the mixture. */
    record Mixture(double w, double m1, double s1, double m2, double s2) implements java.io.Serializable {
        double cdf(double t) {
            return w * normalCdf((t - m1) / s1) + (1 - w) * normalCdf((t - m2) / s2);
        }

        double survival(double t) {
            return w * normalCdf(-(t - m1) / s1) + (1 - w) * normalCdf(-(t - m2) / s2);
        }

        /**
         * F^-1(Phi(v)) by bisection; for v > 0 it matches survival functions instead (S(t) = Phi(-v)), so the
         * map stays strictly increasing where Phi(v) rounds to 1.
         */
        double quantileOfNormal(double v) {
            boolean upper = v > 0;
            double target = normalCdf(upper ? -v : v);
            double lo = Math.min(m1 - 40 * s1, m2 - 40 * s2);
            double hi = Math.max(m1 + 40 * s1, m2 + 40 * s2);
            for (int i = 0; i < 200 && hi - lo > 1e-13 * Math.max(1, Math.abs(lo)); i++) {
                double mid = 0.5 * (lo + hi);
                boolean below = upper ? survival(mid) > target : cdf(mid) < target;
                if (below) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            return 0.5 * (lo + hi);
        }
    }

    static final Mixture BIMODAL_X = new Mixture(0.5, -1.5, 0.5, 1.5, 0.5);
    static final Mixture BIMODAL_Y = new Mixture(0.3, -1.0, 0.4, 1.5, 0.6);

    private static void apply(DoubleUnaryOperator f, double[] v) {
        if (f != null) {
            for (int i = 0; i < v.length; i++) {
                v[i] = f.applyAsDouble(v[i]);
            }
        }
    }

    private static void fillNormal(SplittableRandom rnd, double[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextGaussian();
        }
    }
}
