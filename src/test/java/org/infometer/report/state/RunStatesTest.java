package org.infometer.report.state;

import org.infometer.estimate.SceneBlockStats;
import org.infometer.estimate.variational.VariationalEstimatorSpec;
import org.infometer.report.Reductions;
import org.infometer.report.RunReduction;
import org.infometer.report.SampleResult;
import org.infometer.report.Validity;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state-based reductions agree with the list-based ones ({@link RunReduction#reduce} on each run's sorted
 * samples) in every field, to rounding, and give the same outcome bit for bit for any split and order of the
 * samples.
 */
class RunStatesTest {

    private static final int PAIRS = 2;
    private static final int FOLDS = 5;

    /** A sample of {@code tokens} tokens whose canonical pairs have correlation rho, with codelengths around it. */
    private static SampleResult sample(SplittableRandom rnd, String run, String scene, int i, int tokens, double rho,
                                       boolean block, boolean inFold) {
        double[] u = new double[tokens * PAIRS];
        double[] v = new double[tokens * PAIRS];
        for (int t = 0; t < u.length; t++) {
            double a = rnd.nextGaussian();
            u[t] = a;
            v[t] = rho * a + Math.sqrt(1 - rho * rho) * rnd.nextGaussian();
        }
        double mi = tokens * (-0.5 * Math.log1p(-rho * rho) / Math.log(2)) + rnd.nextGaussian() * Math.sqrt(tokens);
        double hx = tokens * (1.4 + 0.2 * rnd.nextGaussian());
        double hy = tokens * (2.1 + 0.2 * rnd.nextGaussian());
        return new SampleResult(run, scene, String.format("%s-%s-%03d", run, scene, i), (long) i, i % FOLDS, tokens,
                hx, hy, hx + hy - mi, block ? SceneBlockStats.of(u, v, tokens, PAIRS) : null,
                inFold ? mi + tokens * 0.01 * rnd.nextDouble() : null);
    }

    /** Runs that take every branch: refitted, single-sample and unrefittable scenes, no blocks, one scene, ... */
    static List<SampleResult> samples(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<SampleResult> out = new ArrayList<>();
        // refitted scenes of different dependence, one single-sample scene, one too small to refit
        int[] sizes = {6, 9, 1, 2, 7};
        for (int s = 0; s < sizes.length; s++) {
            for (int i = 0; i < sizes[s]; i++) {
                int tokens = s == 3 ? 8 : 20 + rnd.nextInt(41);
                out.add(sample(rnd, "refit", "scene-" + s, i, tokens, 0.2 + 0.15 * s, true, i % 3 == 0));
            }
        }
        // no scene blocks, and one heavy outlier: the kurtosis check fires
        for (int i = 0; i < 40; i++) {
            SampleResult x = sample(rnd, "plain", "scene-" + i % 4, i, 30, 0.5, false, false);
            if (i == 17) {
                x = new SampleResult(x.runId(), x.sceneToken(), x.sampleToken(), x.timestamp(), x.fold(), x.tokens(),
                        x.hxBits(), x.hyBits(), x.hxyBits() - 400, null, null);
            }
            out.add(x);
        }
        // one scene: the samples are the units
        for (int i = 0; i < 12; i++) {
            out.add(sample(rnd, "single", "only", i, 25 + i, 0.6, true, i < 6));
        }
        // MI only (a variational bound): NaN entropies
        for (int i = 0; i < 15; i++) {
            SampleResult x = sample(rnd, "bound", "scene-" + i % 3, i, 40, 0.7, false, false);
            out.add(SampleResult.miOnly(x.runId(), x.sceneToken(), x.sampleToken(), x.timestamp(), x.fold(),
                    x.tokens(), x.miBits(), null));
        }
        // a non-finite codelength fails the run
        for (int i = 0; i < 8; i++) {
            SampleResult x = sample(rnd, "broken", "scene-" + i % 2, i, 30, 0.4, true, false);
            if (i == 5) {
                x = new SampleResult(x.runId(), x.sceneToken(), x.sampleToken(), x.timestamp(), x.fold(), x.tokens(),
                        Double.NaN, x.hyBits(), x.hxyBits(), x.block(), null);
            }
            out.add(x);
        }
        return out;
    }

    static RunReduction.Params params(String undescribed) {
        Map<String, int[]> channels = new TreeMap<>();
        for (String run : List.of("refit", "plain", "single", "bound", "broken")) {
            channels.put(run, new int[] {3, 2});
        }
        Map<String, Map<String, Double>> diagnostics = new TreeMap<>();
        diagnostics.put("bound", Map.of(VariationalEstimatorSpec.CEILING, 0.5));
        return new RunReduction.Params(FOLDS, true, undescribed, channels, Map.of("single", List.of("camera_2")),
                diagnostics);
    }

    /** The list-based reduction, as the job computed it: per run, its samples sorted by sample token. */
    static Map<String, RunReduction.Outcome> listReduction(List<SampleResult> samples, RunReduction.Params p) {
        Map<String, RunReduction.Outcome> out = new TreeMap<>();
        Reductions.byRun(samples).forEach((run, sorted) -> out.put(run, RunReduction.reduce(run, sorted, p)));
        return out;
    }

    static List<List<SampleResult>> split(List<SampleResult> samples, int parts, long seed) {
        List<SampleResult> shuffled = new ArrayList<>(samples);
        Collections.shuffle(shuffled, new Random(seed));
        List<List<SampleResult>> out = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            out.add(new ArrayList<>());
        }
        Random r = new Random(seed + 1);
        shuffled.forEach(s -> out.get(r.nextInt(parts)).add(s));
        return out;
    }

    @Test
    void everyFieldAgreesWithTheListBasedReduction() {
        for (long seed = 1; seed <= 5; seed++) {
            List<SampleResult> samples = samples(seed);
            for (String undescribed : new String[] {null, "map granularity"}) {
                RunReduction.Params p = params(undescribed);
                Map<String, RunReduction.Outcome> expected = listReduction(samples, p);
                OutcomeComparison.assertClose(expected, RunStates.reduce(samples, p), 1e-12);
            }
        }
    }

    @Test
    void theCasesTakeEveryBranch() {
        Map<String, RunReduction.Outcome> o = RunStates.reduce(samples(1), params(null));
        List<Reductions.SceneStats> refit = o.get("refit").scenes();
        assertEquals(3, refit.stream().filter(Reductions.SceneStats::refitted).count());
        assertTrue(refit.stream().anyMatch(s -> s.samples() == 1 && !s.refitted()));
        assertTrue(refit.stream().anyMatch(s -> s.samples() == 2 && s.notRefittedBecause().contains("cannot fit")));
        assertEquals(FOLDS, o.get("refit").foldsUsed());
        assertTrue(Validity.overfitGap(samples(1).stream().filter(s -> s.runId().equals("refit")).toList()) != null);
        assertTrue(o.get("plain").runVerdict().reason().contains("heavy tails"), o.get("plain").runVerdict().reason());
        assertEquals(1, o.get("single").run().scenes());
        assertTrue(Double.isNaN(o.get("bound").run().perToken().get("hx").value()));
        assertEquals(Validity.Status.FAILED, o.get("broken").runVerdict().status());
        assertTrue(o.get("bound").runVerdict().reason().contains("InfoNCE ceiling"), o.get("bound").runVerdict()
                .reason());
    }

    @Test
    void theOutcomeIsTheSameBitForBitForAnySplitAndOrder() {
        List<SampleResult> samples = samples(7);
        RunReduction.Params p = params(null);
        Map<String, RunReduction.Outcome> one = RunStates.reduce(samples, p);
        for (int parts : new int[] {2, 3, 7, 20}) {
            Map<String, RunReduction.Outcome> got = RunStates.reduce(new LocalPasses(split(samples, parts, parts)), p);
            assertEquals(one, got, parts + " partitions");
        }
    }
}
