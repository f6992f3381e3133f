package org.infometer.report.state;

import org.infometer.report.RunReduction;
import org.infometer.report.SampleResult;
import org.infometer.report.Validity;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The run and scene reductions of the measurement job ({@link RunReduction#reduce}) as mergeable states: no
 * group of samples is ever held together, each pass sums per group key wherever the samples are, and the driver
 * derives the same statistics and verdicts from the merged sums.
 * <ol>
 *   <li>first-order sums per scene (with its scene blocks), per fold and of the samples scored in fold;</li>
 *   <li>where a run's scenes are refitted: each sample's scene-refit values from the broadcast block totals
 *       ({@link SceneTotals}), summed per scene;</li>
 *   <li>power sums centred on what the earlier passes found ({@link Pilot}): per-sample SEs and kurtosis.</li>
 * </ol>
 * Every sum is exact and every merge order-free, so the outcome is the same bit for bit for any partitioning or
 * order of the samples. It equals the list-based reductions' up to their floating-point rounding.
 *
 * <p>Usage: {@code RunStates.reduce(runner, params)} with a {@link PassRunner} over the scored samples
 * ({@link LocalPasses} for samples in this JVM).
 */
public final class RunStates {

    private RunStates() {
    }

    /** Per run id (sorted), its statistics, scenes (without values) and verdicts. */
    public static Map<String, RunReduction.Outcome> reduce(PassRunner runner, RunReduction.Params params) {
        SortedMap<GroupKey, FirstState> first = runner.run(new FirstPass());
        SceneTotals totals = SceneTotals.of(first);
        SortedMap<GroupKey, AdjustedState> adjusted = totals.anyScene() ? runner.run(new AdjustPass(totals))
                : new TreeMap<>();
        Map<String, ValueSums> runs = RunOutcomes.runValues(first);
        Map<GroupKey, Pilot> pilots = new TreeMap<>();
        runs.forEach((run, v) -> pilots.put(GroupKey.run(run), Pilot.of(v)));
        first.forEach((k, s) -> pilots.put(k, Pilot.of(s.values())));
        adjusted.forEach((k, s) -> {
            if (!s.refit().failed()) {
                pilots.put(k, Pilot.of(s.values()));
            }
        });
        SortedMap<GroupKey, ValueSpread> spreads = runner.run(new SpreadPass(totals, pilots));
        return new RunOutcomes(first, adjusted, runs, totals, pilots, spreads, params).all();
    }

    /** {@link #reduce(PassRunner, RunReduction.Params)} of samples in this JVM. */
    public static Map<String, RunReduction.Outcome> reduce(List<SampleResult> samples, RunReduction.Params params) {
        return reduce(new LocalPasses(List.of(samples)), params);
    }

    /** Pass 1: first-order sums per scene, fold, and of the samples scored in fold; scene blocks per scene. */
    static final class FirstPass implements Pass<FirstState> {
        private static final long serialVersionUID = 1L;

        @Override
        public void add(Map<GroupKey, FirstState> states, SampleResult s) {
            double[] q = SampleValues.of(s);
            boolean finite = Validity.finite(s);
            FirstState scene = states.computeIfAbsent(GroupKey.scene(s.runId(), s.sceneToken()),
                    k -> new FirstState(SampleValues.WIDTH));
            scene.add(q, s.tokens(), finite);
            scene.addBlock(s.block());
            states.computeIfAbsent(GroupKey.fold(s.runId(), s.fold()), k -> new FirstState(SampleValues.WIDTH))
                    .add(q, s.tokens(), finite);
            if (s.inFoldMiBits() != null) {
                states.computeIfAbsent(GroupKey.overfit(s.runId()), k -> new FirstState(SampleValues.OVERFIT_WIDTH))
                        .add(SampleValues.overfit(s), s.tokens(), true);
            }
        }
    }

    /** Pass 2: the scene-refit values of the samples of refitted scenes, summed per scene. */
    static final class AdjustPass implements Pass<AdjustedState> {
        private static final long serialVersionUID = 1L;
        private final SceneTotals totals;

        AdjustPass(SceneTotals totals) {
            this.totals = totals;
        }

        @Override
        public void add(Map<GroupKey, AdjustedState> states, SampleResult s) {
            SceneTotals.Refit r = totals.refit(s);
            if (r != null) {
                states.computeIfAbsent(GroupKey.adjusted(s.runId(), s.sceneToken()), k -> new AdjustedState())
                        .add(r, s.sampleToken());
            }
        }
    }

    /** Pass 3: power sums about the pilots, per run, scene (both values where refitted), fold and in-fold set. */
    static final class SpreadPass implements Pass<ValueSpread> {
        private static final long serialVersionUID = 1L;
        private final SceneTotals totals;
        private final Map<GroupKey, Pilot> pilots;

        SpreadPass(SceneTotals totals, Map<GroupKey, Pilot> pilots) {
            this.totals = totals;
            this.pilots = pilots;
        }

        @Override
        public void add(Map<GroupKey, ValueSpread> states, SampleResult s) {
            double[] q = SampleValues.of(s);
            spread(states, GroupKey.run(s.runId()), q, s.tokens());
            spread(states, GroupKey.scene(s.runId(), s.sceneToken()), q, s.tokens());
            spread(states, GroupKey.fold(s.runId(), s.fold()), q, s.tokens());
            if (s.inFoldMiBits() != null) {
                spread(states, GroupKey.overfit(s.runId()), SampleValues.overfit(s), s.tokens());
            }
            GroupKey adjusted = GroupKey.adjusted(s.runId(), s.sceneToken());
            if (pilots.containsKey(adjusted)) {
                SampleResult a = totals.refit(s).adjusted();
                spread(states, adjusted, SampleValues.of(a), a.tokens());
            }
        }

        private void spread(Map<GroupKey, ValueSpread> states, GroupKey key, double[] q, int tokens) {
            states.computeIfAbsent(key, k -> new ValueSpread(q.length)).add(q, tokens, pilots.get(key));
        }
    }
}
