package org.infometer.correlate.nuscenes;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * In-memory detection evaluation of one run: the per-sample stage and the curve stage run locally. The
 * Spark evaluation ({@link DetectionEvalSpark}) runs the same two stages distributed and must agree with it.
 *
 * <p>Usage: {@code Map<GroupKey, DetectionMetrics> m = new DetectionEvaluator(OverLimit.REJECT)
 * .evaluate(samples, gtBySample, predsBySample, List.of(Grouping.RUN, Grouping.SCENE));}
 *
 * <p>{@code samples} is the evaluated split: every sample counts, with or without predictions (a submission
 * lists every sample, possibly with no boxes). Predictions or ground truth of a sample outside it are an
 * error, as the devkit refuses mismatched sample sets.
 */
public final class DetectionEvaluator {

    /** How samples are grouped for a set of metrics; the whole run is the group with key "". */
    public record Grouping(String level, Function<SampleInfo, String> keyOf) {

        public static final Grouping RUN = new Grouping("run", s -> "");
        public static final Grouping SCENE = new Grouping("scene", SampleInfo::sceneToken);
    }

    /** A group: its level ("run", "scene", ...) and key ("" for the run, else e.g. the scene token). */
    public record GroupKey(String level, String key) implements Comparable<GroupKey>, Serializable {

        @Override
        public int compareTo(GroupKey o) {
            int c = level.compareTo(o.level);
            return c != 0 ? c : key.compareTo(o.key);
        }
    }

    private final SampleMatcher matcher;

    public DetectionEvaluator(SampleMatcher.OverLimit overLimit) {
        this.matcher = new SampleMatcher(overLimit);
    }

    public Map<GroupKey, DetectionMetrics> evaluate(List<SampleInfo> samples, Map<String, List<GtBox>> gtBySample,
            Map<String, List<PredBox>> predsBySample, List<Grouping> groupings) {
        Set<String> known = new HashSet<>();
        for (SampleInfo s : samples) {
            if (!known.add(s.sampleToken())) {
                throw new IllegalArgumentException("sample " + s.sampleToken() + " is listed twice");
            }
        }
        checkKnown(known, gtBySample.keySet(), "ground truth");
        checkKnown(known, predsBySample.keySet(), "predictions");

        Map<GroupKey, Map<DetectionClass, List<MatchRecord>>> records = new HashMap<>();
        Map<GroupKey, long[]> npos = new HashMap<>();
        Map<GroupKey, Long> sampleCounts = new TreeMap<>();
        for (SampleInfo s : samples) {
            SampleOutcome o = matcher.match(s, gtBySample.getOrDefault(s.sampleToken(), List.of()),
                    predsBySample.getOrDefault(s.sampleToken(), List.of()));
            for (Grouping g : groupings) {
                GroupKey key = new GroupKey(g.level(), g.keyOf().apply(s));
                sampleCounts.merge(key, 1L, Long::sum);
                long[] counts = npos.computeIfAbsent(key, k -> new long[DetectionClass.values().length]);
                for (int c = 0; c < counts.length; c++) {
                    counts[c] += o.npos()[c];
                }
                Map<DetectionClass, List<MatchRecord>> byClass = records.computeIfAbsent(key,
                        k -> new EnumMap<>(DetectionClass.class));
                for (MatchRecord r : o.records()) {
                    byClass.computeIfAbsent(r.detectionClass(), c -> new ArrayList<>()).add(r);
                }
            }
        }
        Map<GroupKey, DetectionMetrics> out = new TreeMap<>();
        for (Map.Entry<GroupKey, Long> e : sampleCounts.entrySet()) {
            GroupKey key = e.getKey();
            Map<DetectionClass, CurveResult> curves = new EnumMap<>(DetectionClass.class);
            for (DetectionClass c : DetectionClass.values()) {
                List<MatchRecord> rs = records.get(key).getOrDefault(c, List.of());
                curves.put(c, ClassCurve.evaluate(c, rs, npos.get(key)[c.ordinal()]));
            }
            out.put(key, DetectionMetrics.assemble(curves, e.getValue()));
        }
        return out;
    }

    private static void checkKnown(Set<String> known, Set<String> tokens, String what) {
        for (String t : tokens) {
            if (!known.contains(t)) {
                throw new IllegalArgumentException(what + " for sample " + t + ", which is not in the evaluated split");
            }
        }
    }
}
