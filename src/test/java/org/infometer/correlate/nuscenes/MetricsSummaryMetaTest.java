package org.infometer.correlate.nuscenes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The devkit's meta block and eval_time in metrics_summary.json, without touching a single metric. */
class MetricsSummaryMetaTest {

    static DetectionMetrics metrics() {
        SyntheticDetections gen = new SyntheticDetections(7);
        java.util.List<SampleInfo> samples = new java.util.ArrayList<>();
        java.util.Map<String, java.util.List<GtBox>> gt = new java.util.HashMap<>();
        java.util.Map<String, java.util.List<PredBox>> preds = new java.util.HashMap<>();
        for (int k = 0; k < 8; k++) {
            SampleInfo s = new SampleInfo("s" + k, "scene-" + (k / 4), new double[] {30.0 * k, 0, 1.8});
            samples.add(s);
            gt.put(s.sampleToken(), gen.groundTruth(s));
            preds.put(s.sampleToken(), gen.predictions("run", 9, s, gt.get(s.sampleToken()), 0.6));
        }
        return new DetectionEvaluator(SampleMatcher.OverLimit.REJECT)
                .evaluate(samples, gt, preds, java.util.List.of(DetectionEvaluator.Grouping.RUN))
                .get(new DetectionEvaluator.GroupKey("run", ""));
    }

    @Test
    void metaFollowsTheMetricsAndTheNumbersAreUnchanged() throws Exception {
        RunMetrics m = metrics().toRunMetrics("memory");
        RunMetrics timed = new RunMetrics(m.source(), m.meanAp(), m.ndScore(), m.labelAps(), m.meanDistAps(),
                m.labelTpErrors(), m.tpErrors(), m.tpScores(), 1.25);
        String plain = MetricsSummaryWriter.toJson(timed);
        String withMeta = MetricsSummaryWriter.toJson(timed, new ResultsReader.Meta(true, true, false, null, false));
        // the devkit appends meta after the metrics: everything before it is byte for byte the file without meta
        String head = plain.substring(0, plain.lastIndexOf('}')).stripTrailing();
        assertTrue(withMeta.startsWith(head + ",\n  \"meta\": {"), withMeta.substring(head.length() - 20));
        JsonNode meta = new ObjectMapper().readTree(withMeta.replace("NaN", "null")).get("meta");
        assertEquals("{\"use_camera\":true,\"use_lidar\":true,\"use_radar\":false,\"use_map\":null,"
                + "\"use_external\":false}", meta.toString());
        RunMetrics back = MetricsSummaryReader.parse(withMeta, "with-meta.json");
        assertEquals(timed.meanAp(), back.meanAp(), 0);
        assertEquals(timed.ndScore(), back.ndScore(), 0);
        assertEquals(timed.labelAps(), back.labelAps());
        assertEquals(1.25, back.evalTimeSeconds(), 0);
    }
}
