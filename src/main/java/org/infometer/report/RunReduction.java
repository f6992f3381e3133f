package org.infometer.report;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the measurement job derives from one run's samples: the run and scene statistics and their validity
 * verdicts, from the list of the run's samples. This is the reference definition: the job itself computes the
 * same outcome from mergeable states ({@link org.infometer.report.state.RunStates}, agreeing to 1e-12 in
 * RunStatesTest) and never holds a run's samples together; the parameter and result records are shared.
 *
 * <p>Usage: {@code RunReduction.reduce(runId, samplesSortedByToken, params)}; the order of the samples is part
 * of the input (floating-point sums), so callers pass them sorted by sample token, as {@link Reductions#byRun}
 * does.
 */
public final class RunReduction {

    private RunReduction() {
    }

    /**
     * What the verdicts need beyond the samples: the configured folds, whether observations are tokens, why
     * samples may carry no scene statistics (may be null), each run's {x, y} channel counts and its constant
     * channels (may be absent).
     */
    public record Params(int folds, boolean tokenGranularity, String undescribed, Map<String, int[]> channelsByRun,
                         Map<String, List<String>> constantChannelsByRun,
                         Map<String, Map<String, Double>> diagnosticsByRun) implements Serializable {
    }

    /** One run's statistics, its scenes (ranked, without values), verdicts and the folds its samples used. */
    public record Outcome(Reductions.RunStats run, List<Reductions.SceneStats> scenes, Validity.Verdict runVerdict,
                          Map<String, Validity.Verdict> sceneVerdicts, int foldsUsed) implements Serializable {
    }

    /** Key of a scene in the scene verdict maps. */
    public static String sceneKey(String runId, String sceneToken) {
        return runId + "\u0000" + sceneToken;
    }

    /** Folds that hold at least one of the samples (at most the configured number; fewer for small runs). */
    public static int foldsUsed(List<SampleResult> samples) {
        return (int) samples.stream().mapToInt(SampleResult::fold).distinct().count();
    }

    public static Outcome reduce(String runId, List<SampleResult> sorted, Params p) {
        Reductions.RunStats run = Reductions.run(runId, sorted);
        List<Reductions.SceneStats> scenes = Reductions.scenes(runId, sorted, p.undescribed());
        int[] ch = p.channelsByRun().get(runId);
        int dims = ch == null ? 0 : ch[0] + ch[1];
        Validity.Verdict verdict = Validity.runMi(run.perToken().get("mi"), sorted, dims, p.tokenGranularity());
        verdict = Validity.constantChannels(verdict, p.constantChannelsByRun().getOrDefault(runId, List.of()));
        int used = foldsUsed(sorted);
        verdict = Validity.foldsUsed(verdict, used, p.folds(), sorted.size());
        verdict = Validity.variationalBound(verdict, run.perToken().get("mi"),
                p.diagnosticsByRun() == null ? null : p.diagnosticsByRun().get(runId));
        Map<String, Validity.Verdict> sceneVerdicts = new TreeMap<>();
        for (Reductions.SceneStats sc : scenes) {
            sceneVerdicts.put(sceneKey(runId, sc.sceneToken()), Validity.sceneMi(sc, dims, p.tokenGranularity(),
                    verdict));
        }
        // After the scenes: a single scene limits the run's interval, not the scene's own values.
        verdict = Validity.singleScene(verdict, run.scenes());
        return new Outcome(run, scenes.stream().map(Reductions.SceneStats::withoutValues).toList(), verdict,
                sceneVerdicts, used);
    }
}
