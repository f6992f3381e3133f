package org.infometer.estimate.flow;

import org.infometer.estimate.SampleCodelengths;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The token-granularity learned model (dependence flow): its marginal Gaussianisation, independence as a special
 * case on high-dimensional data with few samples, invariance of the MI under per-channel monotone warps, heavy
 * tails, and a store round trip with identical codelengths.
 */
class DependenceFlowTest {

    static FlowConfig config() {
        return FlowConfig.builder(FlowGranularity.TOKEN).intraOpThreads(1).device("cpu").build();
    }

    @Test
    void gaussianizerIsMonotoneWithExactLogJacobianAndFiniteFarTails() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 4000;
        float[] v = new float[n * 2];
        for (int i = 0; i < n; i++) {
            v[2 * i] = (float) Math.tan(Math.PI * (r.nextDouble() - 0.5)); // Cauchy
            v[2 * i + 1] = (float) Math.floor(r.nextDouble() * 4);          // discrete, heavily tied
        }
        QuantileGaussianizer g = QuantileGaussianizer.fit(v, n, 2);
        float[] z = new float[n * 2];
        g.transform(v, n, z, null);
        double mean = 0;
        double var = 0;
        for (int i = 0; i < n; i++) {
            mean += z[2 * i];
            var += z[2 * i] * z[2 * i];
        }
        assertEquals(0, mean / n, 0.05);
        assertEquals(1, var / n, 0.1);
        // Strictly increasing, with exp(log-Jacobian) equal to the numeric derivative, far outside the data too.
        float[] cauchy = new float[n];
        for (int i = 0; i < n; i++) {
            cauchy[i] = v[2 * i];
        }
        QuantileGaussianizer g1 = QuantileGaussianizer.fit(cauchy, n, 1);
        double[] probes = {-1e30, -1e6, -3, -0.1, 0, 0.2, 2.5, 1e6, 1e30};
        double prev = Double.NEGATIVE_INFINITY;
        for (double p : probes) {
            float[] out = new float[1];
            double[] lj = new double[1];
            g1.transform(new float[] {(float) p}, 1, out, lj);
            assertTrue(Float.isFinite(out[0]) && Double.isFinite(lj[0]), "at " + p);
            assertTrue(out[0] > prev, "not increasing at " + p);
            assertTrue(Math.abs(out[0]) < 200, "tail value " + out[0] + " at " + p);
            prev = out[0];
            if (Math.abs(p) < 10) {
                double h = 1e-4;
                float[] a = new float[1];
                float[] b = new float[1];
                g1.transform(new float[] {(float) (p - h)}, 1, a, null);
                g1.transform(new float[] {(float) (p + h)}, 1, b, null);
                assertEquals(Math.log((b[0] - a[0]) / (2 * h)), lj[0], 0.05, "log slope at " + p);
            }
        }
        float[] tied = new float[2];
        g.transform(new float[] {0f, 0f}, 1, tied, null);
        float[] next = new float[2];
        g.transform(new float[] {0f, 1f}, 1, next, null);
        assertTrue(next[1] > tied[1], "tied channel map not increasing");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            g.write(out);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        QuantileGaussianizer back;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = QuantileGaussianizer.read(in);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        float[] z2 = new float[n * 2];
        back.transform(v, n, z2, null);
        assertArrayEquals(z, z2);
    }

    @Test
    void independentHighDimensionalModalitiesWithFewSamplesGiveZero() {
        // 64 + 64 channels, 500 tokens: three separate flows gave large negative MI on such data.
        List<PairSample> fit = independent(400, 64, 1);
        List<PairSample> test = independent(100, 64, 2);
        try (FlowPairModel m = FlowTrainer.fit(fit.iterator(), 64, 64, config(), 11L, null)) {
            double[] ms = meanAndSe(m, test);
            assertTrue(Math.abs(ms[0]) <= Math.max(0.01, 2 * ms[1]), "MI " + ms[0] + " ± " + ms[1]);
            assertEquals(0, m.dependence().rank(), "rank");
        }
    }

    @Test
    void miIsInvariantToMonotoneWarpsAndCatchesUncorrelatedHeavyTailedDependence() {
        // Student-t with one degree of freedom (Cauchy margins), 1 + 1: uncorrelated yet dependent;
        // truth 0.3230 bits (closed form in SyntheticPairs.studentT).
        SyntheticPairs.Case c = SyntheticPairs.studentT(1000, 10, 1, 1, 1, 5);
        List<PairSample> fit = c.samples().subList(0, 800);
        List<PairSample> test = c.samples().subList(800, 1000);
        List<PairSample> warpedFit = warp(fit);
        List<PairSample> warpedTest = warp(test);
        try (FlowPairModel a = FlowTrainer.fit(fit.iterator(), 1, 1, config(), 7L, null);
             FlowPairModel b = FlowTrainer.fit(warpedFit.iterator(), 1, 1, config(), 7L, null)) {
            double[] ma = meanAndSe(a, test);
            double[] mb = meanAndSe(b, warpedTest);
            double tol = Math.max(0.1 * c.truthBits(), 0.05 / Math.log(2));
            assertEquals(c.truthBits(), ma[0], tol, "Student-t MI");
            assertEquals(ma[0], mb[0], 0.02, "MI changed under a monotone warp of each modality");
            assertTrue(a.dependence().learnedDims() > 0, "the conditional flow should be kept");
            for (PairSample s : test) {
                SampleCodelengths sc = a.score(s.x(), s.y(), s.tokens());
                assertTrue(Double.isFinite(sc.hxBits()) && Double.isFinite(sc.hxyBits()));
            }
        }
    }

    @Test
    void clusteredStandardErrorCountsSamplesNotTokens() {
        // Two samples of 50 identical tokens each: the mean is exact, the SE reflects 2 clusters, not 100 tokens.
        double[] v = new double[100];
        long[] s = new long[100];
        for (int i = 0; i < 100; i++) {
            v[i] = i < 50 ? 1 : -1;
            s[i] = i < 50 ? 0 : 1;
        }
        double[] ms = DependenceFitter.clusteredMean(v, s);
        assertEquals(0, ms[0], 1e-12);
        assertEquals(1.0, ms[1], 1e-9);
        assertFalse(Double.isNaN(ms[1]));
    }

    static List<PairSample> independent(int samples, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<PairSample> out = new ArrayList<>();
        for (int s = 0; s < samples; s++) {
            float[] x = new float[d];
            float[] y = new float[d];
            for (int i = 0; i < d; i++) {
                x[i] = (float) gaussian(r);
                y[i] = (float) gaussian(r);
            }
            out.add(new PairSample(x, y, 1));
        }
        return out;
    }

    static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    private static List<PairSample> warp(List<PairSample> in) {
        List<PairSample> out = new ArrayList<>();
        for (PairSample s : in) {
            float[] x = s.x().clone();
            float[] y = s.y().clone();
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (3 * SyntheticPairs.asinh(x[i]) + 1);
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = (float) Math.exp(0.1 * y[i] / (1 + Math.abs(0.01 * y[i])));
            }
            out.add(new PairSample(x, y, s.tokens()));
        }
        return out;
    }

    /** Mean MI in bits per token over the samples, and its standard error across samples. */
    static double[] meanAndSe(FlowPairModel m, List<PairSample> test) {
        double s = 0;
        double s2 = 0;
        long tokens = 0;
        for (PairSample p : test) {
            double mi = m.score(p.x(), p.y(), p.tokens()).miBits();
            s += mi;
            s2 += mi * mi;
            tokens += p.tokens();
        }
        int n = test.size();
        double perSample = s / n;
        double tok = (double) tokens / n;
        return new double[] {s / tokens, Math.sqrt(Math.max(0, s2 / n - perSample * perSample) / n) / tok};
    }
}
