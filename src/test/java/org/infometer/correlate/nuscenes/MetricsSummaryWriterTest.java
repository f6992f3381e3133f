package org.infometer.correlate.nuscenes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.junit.jupiter.api.Test;

class MetricsSummaryWriterTest {

    /** An in-memory evaluation of a few synthetic samples. */
    private static DetectionMetrics metrics() {
        SyntheticDetections gen = new SyntheticDetections(5);
        List<SampleInfo> samples = new ArrayList<>();
        Map<String, List<GtBox>> gt = new HashMap<>();
        Map<String, List<PredBox>> preds = new HashMap<>();
        for (int k = 0; k < 12; k++) {
            SampleInfo s = new SampleInfo("s" + k, "scene-" + (k / 4), new double[] {30.0 * k, 0, 1.8});
            samples.add(s);
            gt.put(s.sampleToken(), gen.groundTruth(s));
            preds.put(s.sampleToken(), gen.predictions("run", 9, s, gt.get(s.sampleToken()), 0.6));
        }
        return new DetectionEvaluator(SampleMatcher.OverLimit.REJECT)
                .evaluate(samples, gt, preds, List.of(DetectionEvaluator.Grouping.RUN))
                .get(new DetectionEvaluator.GroupKey("run", ""));
    }

    @Test
    void roundTripsThroughTheReaderWithBareNaNTokens() {
        DetectionMetrics m = metrics();
        RunMetrics written = m.toRunMetrics("memory");
        String json = MetricsSummaryWriter.toJson(written);
        assertTrue(json.contains("\"orient_err\": NaN"), json);
        assertTrue(json.contains("\"dist_ths\": [\n      0.5,"), json);
        RunMetrics back = MetricsSummaryReader.parse(json, "written.json");
        assertEquals(written.meanAp(), back.meanAp(), 0);
        assertEquals(written.ndScore(), back.ndScore(), 0);
        // Map equality compares boxed doubles, for which NaN equals NaN.
        assertEquals(written.labelAps(), back.labelAps());
        assertEquals(written.meanDistAps(), back.meanDistAps());
        assertEquals(written.labelTpErrors(), back.labelTpErrors());
        assertEquals(written.tpErrors(), back.tpErrors());
        assertEquals(written.tpScores(), back.tpScores());
    }

    @Test
    void aMetricsTableRowGivesTheSameFileAsTheMetrics() {
        DetectionMetrics m = metrics();
        org.apache.spark.sql.Row plain = DetectionRows.metricsRow("run", "run", "", m);
        Object[] values = new Object[plain.length()];
        for (int i = 0; i < values.length; i++) {
            values[i] = plain.get(i);
        }
        GenericRowWithSchema row = new GenericRowWithSchema(values, DetectionRows.GROUP_METRICS);
        assertEquals(MetricsSummaryWriter.toJson(m.toRunMetrics("x")),
                MetricsSummaryWriter.toJson(DetectionRows.runMetrics(row, "x")));
    }
}
