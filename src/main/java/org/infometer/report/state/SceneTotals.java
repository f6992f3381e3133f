package org.infometer.report.state;

import org.infometer.estimate.SceneBlockStats;
import org.infometer.estimate.SceneRefit;
import org.infometer.report.RunReduction;
import org.infometer.report.SampleResult;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * The scene-block totals the held-out scene refits fit on, from the first pass: per run whose samples all carry
 * a block, the run's total, and the total of each of its scenes of two or more samples. With them each sample's
 * scene-refit values follow from the sample alone, as {@code report.SceneValues} computes them from a list:
 * the sample's codelengths shifted by the held-out codelengths of its block under its scene's other samples less
 * those under its run's other samples.
 */
final class SceneTotals implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A sample's scene-refit values, or null ones where its training set supports no fit; its training tokens. */
    record Refit(SampleResult adjusted, long trainTokens) {
    }

    private final Map<String, SceneBlockStats> runs = new TreeMap<>();
    private final Map<String, SceneBlockStats> scenes = new TreeMap<>();

    static SceneTotals of(Map<GroupKey, FirstState> first) {
        SceneTotals t = new SceneTotals();
        Map<String, BlockSums> runBlocks = new TreeMap<>();
        Map<String, Boolean> described = new TreeMap<>();
        first.forEach((k, s) -> {
            if (k.kind() != GroupKey.Kind.SCENE) {
                return;
            }
            boolean all = s.blockless() == 0 && s.blocks() != null;
            described.merge(k.run(), all, Boolean::logicalAnd);
            if (all) {
                runBlocks.merge(k.run(), s.blocks().copy(), BlockSums::merge);
            }
        });
        described.forEach((run, all) -> {
            if (all) {
                t.runs.put(run, runBlocks.get(run).total());
            }
        });
        first.forEach((k, s) -> {
            if (k.kind() == GroupKey.Kind.SCENE && t.runs.containsKey(k.run()) && s.values().samples() >= 2) {
                t.scenes.put(RunReduction.sceneKey(k.run(), k.scene()), s.blocks().total());
            }
        });
        return t;
    }

    /** Whether a run's samples all carry a block (its scenes are refitted where they can be). */
    boolean described(String run) {
        return runs.containsKey(run);
    }

    /** The canonical pairs of a described run's blocks. */
    int pairs(String run) {
        return runs.get(run).pairs();
    }

    /** Whether any scene is refitted sample by sample. */
    boolean anyScene() {
        return !scenes.isEmpty();
    }

    /** The sample's scene refit, or null where its scene is not refitted sample by sample. */
    Refit refit(SampleResult s) {
        SceneBlockStats scene = scenes.get(RunReduction.sceneKey(s.runId(), s.sceneToken()));
        if (scene == null) {
            return null;
        }
        SceneBlockStats train = scene.minus(s.block());
        double[] local = SceneRefit.heldOutBitsCorrected(train, s.block());
        double[] pooled = SceneRefit.heldOutBitsCorrected(runs.get(s.runId()).minus(s.block()), s.block());
        if (local == null || pooled == null) {
            return new Refit(null, train.tokens());
        }
        return new Refit(s.shifted(local[0] - pooled[0], local[1] - pooled[1], local[2] - pooled[2]), train.tokens());
    }
}
