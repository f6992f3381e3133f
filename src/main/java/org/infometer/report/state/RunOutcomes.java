package org.infometer.report.state;

import org.infometer.report.Estimate;
import org.infometer.report.LossOfPrecision;
import org.infometer.report.Reductions;
import org.infometer.report.RunReduction;
import org.infometer.report.SceneValues;
import org.infometer.report.Validity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The driver's last step: the statistics and verdicts of {@link RunReduction#reduce} from the merged states, by
 * the same formulas and the same verdict code ({@link Reductions#ratioEstimate}, {@link Reductions#ranked},
 * {@link Validity}), reading sums where the list-based code reads samples.
 */
final class RunOutcomes {

    private final SortedMap<GroupKey, FirstState> first;
    private final SortedMap<GroupKey, AdjustedState> adjusted;
    private final Map<String, ValueSums> runs;
    private final SceneTotals totals;
    private final Map<GroupKey, Pilot> pilots;
    private final SortedMap<GroupKey, ValueSpread> spreads;
    private final RunReduction.Params params;

    RunOutcomes(SortedMap<GroupKey, FirstState> first, SortedMap<GroupKey, AdjustedState> adjusted,
                Map<String, ValueSums> runs, SceneTotals totals, Map<GroupKey, Pilot> pilots,
                SortedMap<GroupKey, ValueSpread> spreads, RunReduction.Params params) {
        this.first = first;
        this.adjusted = adjusted;
        this.runs = runs;
        this.totals = totals;
        this.pilots = pilots;
        this.spreads = spreads;
        this.params = params;
    }

    /** Per run, the sum of its scenes' values (exact, so the same as summing its samples). */
    static Map<String, ValueSums> runValues(Map<GroupKey, FirstState> first) {
        Map<String, ValueSums> out = new TreeMap<>();
        first.forEach((k, s) -> {
            if (k.kind() == GroupKey.Kind.SCENE) {
                out.merge(k.run(), s.values().copy(), ValueSums::merge);
            }
        });
        return out;
    }

    Map<String, RunReduction.Outcome> all() {
        Map<String, RunReduction.Outcome> out = new TreeMap<>();
        runs.keySet().forEach(run -> out.put(run, outcome(run)));
        return out;
    }

    /** A group's values, pilot and spread: what its statistics are read from. */
    private record Group(ValueSums values, Pilot pilot, ValueSpread spread) {

        long samples() {
            return values.samples();
        }

        /** The per-token ratio estimate of quantity j with the samples as units. */
        Estimate perToken(int j) {
            return Reductions.ratioEstimate(pilot.ratio[j], values.tokens(), samples(), samples(),
                    spread.squaresAboutRatio(j, pilot));
        }

        /** The per-sample ratio estimate of quantity j with the samples as units. */
        Estimate perSample(int j) {
            return Reductions.ratioEstimate(pilot.mean[j], values.samples(), samples(), samples(),
                    spread.squaresAboutMean(j, pilot));
        }

        /** Mean and SE of quantity j over the samples, as {@code MeanVariance} gives them. */
        Estimate mean(int j) {
            long n = samples();
            double se = n < 2 ? Double.NaN : Math.sqrt(spread.squaresAboutMean(j, pilot) / (n - 1) / n);
            return new Estimate(pilot.mean[j], se, n);
        }

        Validity.Evidence evidence() {
            double[] kurtosis = new double[Validity.KURTOSIS_QUANTITIES.size()];
            for (int i = 0; i < kurtosis.length; i++) {
                int j = Reductions.QUANTITIES.indexOf(Validity.KURTOSIS_QUANTITIES.get(i));
                kurtosis[i] = spread.excessKurtosis(j, samples());
            }
            return new Validity.Evidence(samples(), values.tokens(), values.nonFinite(), kurtosis);
        }
    }

    private Group group(GroupKey key, ValueSums values) {
        return new Group(values, pilots.get(key), spreads.get(key));
    }

    private List<GroupKey> keys(String run, GroupKey.Kind kind) {
        return first.keySet().stream().filter(k -> k.run().equals(run) && k.kind() == kind).toList();
    }

    private RunReduction.Outcome outcome(String runId) {
        List<GroupKey> scenes = keys(runId, GroupKey.Kind.SCENE);
        Group run = group(GroupKey.run(runId), runs.get(runId));
        Reductions.RunStats stats = runStats(runId, run, scenes);
        Map<String, Validity.Evidence> sceneEvidence = new TreeMap<>();
        List<Reductions.SceneStats> sceneStats = new ArrayList<>();
        for (GroupKey k : scenes) {
            sceneStats.add(sceneStats(k, sceneEvidence));
        }
        sceneStats = Reductions.ranked(sceneStats);

        int[] ch = params.channelsByRun().get(runId);
        int dims = ch == null ? 0 : ch[0] + ch[1];
        Estimate mi = stats.perToken().get("mi");
        Validity.Verdict verdict = Validity.runMi(mi, run.evidence(), foldHeterogeneityP(runId),
                overfitGap(runId), dims, params.tokenGranularity());
        verdict = Validity.constantChannels(verdict, params.constantChannelsByRun().getOrDefault(runId, List.of()));
        int used = keys(runId, GroupKey.Kind.FOLD).size();
        verdict = Validity.foldsUsed(verdict, used, params.folds(), (int) run.samples());
        verdict = Validity.variationalBound(verdict, mi,
                params.diagnosticsByRun() == null ? null : params.diagnosticsByRun().get(runId));
        Map<String, Validity.Verdict> sceneVerdicts = new TreeMap<>();
        for (Reductions.SceneStats sc : sceneStats) {
            sceneVerdicts.put(RunReduction.sceneKey(runId, sc.sceneToken()), Validity.sceneMi(sc,
                    sceneEvidence.get(sc.sceneToken()), dims, params.tokenGranularity(), verdict));
        }
        // After the scenes: a single scene limits the run's interval, not the scene's own values.
        verdict = Validity.singleScene(verdict, stats.scenes());
        return new RunReduction.Outcome(stats, sceneStats, verdict, sceneVerdicts, used);
    }

    /** {@link Reductions#run}: ratio estimates clustered by scene (with one scene, by sample). */
    private Reductions.RunStats runStats(String runId, Group run, List<GroupKey> scenes) {
        Map<String, Estimate> perSample = new LinkedHashMap<>();
        Map<String, Estimate> perToken = new LinkedHashMap<>();
        for (int j = 0; j < SampleValues.WIDTH; j++) {
            String q = Reductions.QUANTITIES.get(j);
            if (scenes.size() >= 2) {
                perSample.put(q, clustered(run, scenes, j, false));
                perToken.put(q, clustered(run, scenes, j, true));
            } else {
                perSample.put(q, run.perSample(j));
                perToken.put(q, run.perToken(j));
            }
        }
        Estimate mi = perToken.get("mi");
        double crit = Reductions.critical95(scenes.size() >= 2 ? scenes.size() : run.samples());
        return new Reductions.RunStats(runId, run.samples(), run.values().tokens(), scenes.size(), perSample,
                perToken, mi.low(crit), mi.high(crit));
    }

    /** The ratio estimate of quantity j with the scenes (in scene order) as units. */
    private Estimate clustered(Group run, List<GroupKey> scenes, int j, boolean perTokenUnits) {
        double r = perTokenUnits ? run.pilot().ratio[j] : run.pilot().mean[j];
        double w = perTokenUnits ? run.values().tokens() : run.values().samples();
        double ss = 0;
        for (GroupKey k : scenes) {
            ValueSums v = first.get(k).values();
            double e = v.sum(j) - r * (perTokenUnits ? v.tokens() : v.samples());
            ss += e * e;
        }
        return Reductions.ratioEstimate(r, w, run.samples(), scenes.size(), ss);
    }

    /**
     * {@link Reductions#scenes} for one scene: the scene-refit values where every sample was refitted, else the run
     * models' values with the reason; the evidence of the values the scene reports goes to {@code evidence}.
     */
    private Reductions.SceneStats sceneStats(GroupKey key, Map<String, Validity.Evidence> evidence) {
        String runId = key.run();
        Group raw = group(key, first.get(key).values());
        Group values = raw;
        boolean refitted = false;
        int pairs = 0;
        long trainTokens = 0;
        String why = params.undescribed();
        if (totals.described(runId)) {
            pairs = totals.pairs(runId);
            if (raw.samples() < 2) {
                why = SceneValues.SINGLE_SAMPLE;
            } else {
                GroupKey adjustedKey = GroupKey.adjusted(runId, key.scene());
                AdjustedState a = adjusted.get(adjustedKey);
                trainTokens = a.refit().trainTokens();
                if (a.refit().failed()) {
                    why = SceneValues.cannotFit(trainTokens, pairs);
                } else {
                    values = group(adjustedKey, a.values());
                    refitted = true;
                    why = null;
                }
            }
        }
        long tokens = values.values().tokens();
        Estimate perToken = values.perToken(SampleValues.MI);
        Map<String, Estimate> conditional = new LinkedHashMap<>();
        for (String q : LossOfPrecision.CONDITIONALS) {
            conditional.put(q, values.perToken(Reductions.QUANTITIES.indexOf(q)));
        }
        evidence.put(key.scene(), values.evidence());
        return new Reductions.SceneStats(runId, key.scene(), values.samples(), tokens, values.mean(SampleValues.MI),
                perToken, values.values().sum(SampleValues.HX) / tokens, values.values().sum(SampleValues.HY) / tokens,
                values.values().sum(SampleValues.HXY) / tokens, 0, 0,
                refitted ? raw.perToken(SampleValues.MI) : perToken, refitted, pairs, trainTokens, why, List.of(),
                conditional);
    }

    /** {@link Validity#foldHeterogeneityP} from each fold's sums: folds of two or more samples, in fold order. */
    private double foldHeterogeneityP(String runId) {
        List<Estimate> folds = new ArrayList<>();
        for (GroupKey k : keys(runId, GroupKey.Kind.FOLD)) {
            Group fold = group(k, first.get(k).values());
            if (fold.samples() >= 2) {
                folds.add(fold.perToken(SampleValues.MI));
            }
        }
        return Validity.heterogeneityP(folds);
    }

    /** {@link Validity#overfitGap} from the sums of the samples scored in fold; null when there are none. */
    private double[] overfitGap(String runId) {
        GroupKey key = GroupKey.overfit(runId);
        FirstState seen = first.get(key);
        if (seen == null) {
            return null;
        }
        Group g = group(key, seen.values());
        return Validity.overfitGap(g.samples(), g.values().tokens(), g.values().sum(SampleValues.GAP),
                g.values().sum(SampleValues.HELD_OUT), g.spread().squaresAboutRatio(SampleValues.GAP, g.pilot()));
    }
}
