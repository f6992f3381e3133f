package org.infometer.report;

import org.infometer.estimate.SceneBlockStats;
import org.infometer.estimate.SceneRefit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-sample values for scene-level estimates. The run's models score every sample with the run's dependence
 * structure, so a scene's mean of those values is pulled toward the run (on the generator's data, scene intervals
 * covered the scene's truth about 60 % of the time). Each sample's codelengths are therefore corrected by how
 * much better its own scene codes it than the run does, in the run's leading canonical coordinates:
 * <pre>
 *   h'(sample) = h(sample) + [h_scene(block) - h_run(block)]
 * </pre>
 * for H(X), H(Y) and H(X,Y), where h_scene is the held-out Gaussian codelength of the sample's block under a
 * Gaussian fitted to the other samples of its scene, and h_run the same under the other samples of its run (both
 * by {@link SceneRefit}, so both carry the same out-of-sample penalty and the run term is what the run's Gaussian
 * would say). Where the scene is coded as well as the run, nothing changes. A scene whose samples cannot all be
 * refitted keeps its unadjusted values, and says so.
 */
public final class SceneValues {

    /**
     * A scene's per-sample values ({@code samples}; the run models' own in {@code raw}), whether they were refitted,
     * with how many pairs and training tokens.
     */
    record Scene(List<SampleResult> samples, List<SampleResult> raw, boolean refitted, int pairs, long minTrainTokens,
                 String why) {
    }

    /** Why a scene of one sample keeps the run models' values. */
    public static final String SINGLE_SAMPLE = "a single sample: no other sample of the scene to refit on";

    private SceneValues() {
    }

    /** Why a scene keeps the run models' values when a sample's training set has too few tokens. */
    public static String cannotFit(long minTrain, int pairs) {
        return String.format("%,d tokens of the other samples cannot fit %d canonical pairs (need %d per dimension)",
                minTrain, pairs, SceneRefit.MIN_TOKENS_PER_DIMENSION);
    }

    /**
     * Per scene token of one run (samples in the run's sorted order), its per-sample values. {@code undescribed}
     * says why samples may lack scene statistics (null: the run has no dependence to refit, nothing to flag).
     */
    static Map<String, Scene> of(List<SampleResult> run, String undescribed) {
        Map<String, List<SampleResult>> byScene = new TreeMap<>();
        for (SampleResult s : run) {
            byScene.computeIfAbsent(s.sceneToken(), k -> new ArrayList<>()).add(s);
        }
        Map<String, Scene> out = new TreeMap<>();
        boolean described = !run.isEmpty() && run.stream().allMatch(s -> s.block() != null);
        if (!described) {
            byScene.forEach((k, v) -> out.put(k, new Scene(v, v, false, 0, 0, undescribed)));
            return out;
        }
        SceneBlockStats total = sum(run);
        int pairs = total.pairs();
        for (Map.Entry<String, List<SampleResult>> e : byScene.entrySet()) {
            List<SampleResult> samples = e.getValue();
            if (samples.size() < 2) {
                out.put(e.getKey(), new Scene(samples, samples, false, pairs, 0, SINGLE_SAMPLE));
                continue;
            }
            SceneBlockStats scene = sum(samples);
            List<SampleResult> adjusted = new ArrayList<>();
            long minTrain = Long.MAX_VALUE;
            for (SampleResult s : samples) {
                SceneBlockStats train = scene.minus(s.block());
                double[] local = SceneRefit.heldOutBitsCorrected(train, s.block());
                double[] pooled = SceneRefit.heldOutBitsCorrected(total.minus(s.block()), s.block());
                if (local == null || pooled == null) {
                    adjusted = null;
                    minTrain = train.tokens();
                    break;
                }
                minTrain = Math.min(minTrain, train.tokens());
                adjusted.add(s.shifted(local[0] - pooled[0], local[1] - pooled[1], local[2] - pooled[2]));
            }
            if (adjusted == null) {
                out.put(e.getKey(), new Scene(samples, samples, false, pairs, minTrain, cannotFit(minTrain, pairs)));
            } else {
                out.put(e.getKey(), new Scene(adjusted, samples, true, pairs, minTrain, null));
            }
        }
        return out;
    }

    private static SceneBlockStats sum(List<SampleResult> samples) {
        SceneBlockStats acc = null;
        for (SampleResult s : samples) {
            acc = acc == null ? s.block() : acc.plus(s.block());
        }
        return acc;
    }
}
