package org.infometer.pid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class PidBootstrapTest {

    private final PidBootstrap bootstrap = new PidBootstrap(BrojaSolver.withDefaults());

    /**
     * Tokens with a clear structure on 3 x 3 x 3: y copies x1 80% of the time, x2 is a noisy copy of x1, and
     * otherwise y is uniform.
     */
    private static List<PidBootstrap.Sample> samples(int scenes, int perScene, int tokens, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<PidBootstrap.Sample> out = new ArrayList<>();
        for (int sc = 0; sc < scenes; sc++) {
            for (int k = 0; k < perScene; k++) {
                int[] a = new int[tokens];
                int[] b = new int[tokens];
                int[] y = new int[tokens];
                for (int t = 0; t < tokens; t++) {
                    a[t] = rng.nextInt(3);
                    b[t] = rng.nextDouble() < 0.7 ? a[t] : rng.nextInt(3);
                    y[t] = rng.nextDouble() < 0.8 ? a[t] : rng.nextInt(3);
                }
                out.add(PidBootstrap.Sample.ofTokens("scene-" + sc, "sample-" + k, a, b, y));
            }
        }
        return out;
    }

    private static void assertSameResult(PidBootstrap.Result x, PidBootstrap.Result y) {
        assertEquals(x.point().redundancyBits(), y.point().redundancyBits());
        assertEquals(x.redundancyBits(), y.redundancyBits());
        assertEquals(x.uniqueX1Bits(), y.uniqueX1Bits());
        assertEquals(x.uniqueX2Bits(), y.uniqueX2Bits());
        assertEquals(x.synergyBits(), y.synergyBits());
        assertEquals(x.miJointBits(), y.miJointBits());
        assertEquals(x.complementarity(), y.complementarity());
        assertEquals(x.failedReplicates(), y.failedReplicates());
    }

    @Test
    void sameSeedGivesSameResultWhateverTheInputOrder() {
        List<PidBootstrap.Sample> in = samples(6, 4, 30, 1);
        PidBootstrap.Options opts = new PidBootstrap.Options(40, 0.9, 123L, 1);
        PidBootstrap.Result first = bootstrap.run(3, 3, 3, in, opts);

        List<PidBootstrap.Sample> shuffled = new ArrayList<>();
        Random rng = new Random(7);
        for (PidBootstrap.Sample sm : in) {
            // Also permute the cells inside each sample.
            int n = sm.counts().length;
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                idx.add(i);
            }
            Collections.shuffle(idx, rng);
            int[] a = new int[n];
            int[] b = new int[n];
            int[] y = new int[n];
            long[] c = new long[n];
            for (int i = 0; i < n; i++) {
                a[i] = sm.x1()[idx.get(i)];
                b[i] = sm.x2()[idx.get(i)];
                y[i] = sm.y()[idx.get(i)];
                c[i] = sm.counts()[idx.get(i)];
            }
            shuffled.add(new PidBootstrap.Sample(sm.sceneKey(), sm.sampleKey(), a, b, y, c));
        }
        Collections.shuffle(shuffled, rng);
        assertSameResult(first, bootstrap.run(3, 3, 3, shuffled, opts));
        assertSameResult(first, bootstrap.run(3, 3, 3, in, new PidBootstrap.Options(40, 0.9, 123L, 3)));

        PidBootstrap.Result other = bootstrap.run(3, 3, 3, in, new PidBootstrap.Options(40, 0.9, 124L, 1));
        assertNotEquals(first.redundancyBits(), other.redundancyBits());
    }

    @Test
    void intervalsContainThePointEstimateOnAClearCase() {
        PidBootstrap.Result r = bootstrap.run(3, 3, 3, samples(20, 5, 40, 2),
                new PidBootstrap.Options(100, 0.95, 9L, 1));
        assertEquals(100, r.nSamples());
        assertEquals(4000, r.nTokens());
        assertEquals(20, r.nScenes());
        assertEquals(0, r.failedReplicates(), r.failureMessages().toString());
        PidResult p = r.point();
        assertTrue(p.converged(), p.message());
        assertTrue(r.redundancyBits().contains(p.redundancyBits()), r.redundancyBits() + " vs " + p);
        assertTrue(r.uniqueX1Bits().contains(p.uniqueX1Bits()), r.uniqueX1Bits() + " vs " + p);
        assertTrue(r.uniqueX2Bits().contains(p.uniqueX2Bits()), r.uniqueX2Bits() + " vs " + p);
        assertTrue(r.synergyBits().contains(p.synergyBits()), r.synergyBits() + " vs " + p);
        assertTrue(r.miX1YBits().contains(p.miX1YBits()), r.miX1YBits() + " vs " + p);
        assertTrue(r.complementarity().contains(p.complementarity()), r.complementarity() + " vs " + p);
        // The structure is visible: X1 carries most of the information, redundancy with X2 is substantial.
        assertTrue(r.redundancyBits().lower() > 0.1, r.redundancyBits().toString());
        assertTrue(r.uniqueX1Bits().lower() > r.uniqueX2Bits().upper());
        assertTrue(r.redundancyBits().lower() <= r.redundancyBits().upper());
    }

    @Test
    void singleSampleGivesDegenerateIntervalsAtThePoint() {
        PidBootstrap.Result r = bootstrap.run(3, 3, 3, samples(1, 1, 200, 3),
                new PidBootstrap.Options(5, 0.9, 1L, 1));
        assertEquals(r.point().redundancyBits(), r.redundancyBits().lower());
        assertEquals(r.point().redundancyBits(), r.redundancyBits().upper());
    }

    @Test
    void quantilesInterpolateBetweenOrderStatistics() {
        double[] v = {1, 2, 3, 4, 5};
        assertEquals(1, PidBootstrap.quantile(v, 0), 0);
        assertEquals(5, PidBootstrap.quantile(v, 1), 0);
        assertEquals(3, PidBootstrap.quantile(v, 0.5), 0);
        assertEquals(1.1, PidBootstrap.quantile(v, 0.025), 1e-12);
    }

    private static void assertRejected(Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }

    @Test
    void degenerateInputIsRejectedClearly() {
        PidBootstrap.Options opts = new PidBootstrap.Options(10, 0.9, 1L, 1);
        assertRejected(() -> bootstrap.run(3, 3, 3, List.of(), opts), "no samples");
        assertRejected(() -> bootstrap.run(3, 3, 3, null, opts), "no samples");
        PidBootstrap.Sample a = PidBootstrap.Sample.ofTokens("s", "k", new int[]{0}, new int[]{1}, new int[]{2});
        assertRejected(() -> bootstrap.run(3, 3, 3, List.of(a, a), opts), "duplicate sample key s/k");
        assertRejected(() -> bootstrap.run(3, 3, 2, List.of(a), opts), "outside the table");
        PidBootstrap.Sample zero = new PidBootstrap.Sample("s", "z", new int[]{0}, new int[]{0}, new int[]{0},
                new long[]{0});
        assertRejected(() -> bootstrap.run(3, 3, 3, List.of(zero), opts), "zero counts");
        assertRejected(() -> bootstrap.run(3, 3, 3, List.of(a), null), "options");
        assertRejected(() -> new PidBootstrap.Options(0, 0.9, 1L, 1), "replicates");
        assertRejected(() -> new PidBootstrap.Options(10, 1.0, 1L, 1), "level");
        assertRejected(() -> new PidBootstrap.Options(10, 0.9, 1L, 0), "parallelism");
        assertRejected(() -> new PidBootstrap.Sample("s", "k", new int[]{0}, new int[]{0}, new int[]{0},
                new long[]{-1}), "negative");
        assertRejected(() -> new PidBootstrap.Sample("s", "k", new int[]{0, 1}, new int[]{0}, new int[]{0},
                new long[]{1}), "differ in length");
        assertRejected(() -> new PidBootstrap.Sample(null, "k", new int[0], new int[0], new int[0], new long[0]),
                "keys");
        assertRejected(() -> new PidBootstrap(null), "solver");
    }
}
