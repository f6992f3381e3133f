package org.infometer.correlate.nuscenes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Results-file inputs where a reader could differ from the nuScenes devkit (nutonomy/nuscenes-devkit,
 * python-sdk/nuscenes/eval): what {@code DetectionBox.deserialize}, {@code loaders.filter_eval_boxes} and
 * {@code DetectionEval.__init__} do with them, matched here or refused with a message that says what the devkit
 * does. The expected figures of {@link #aMissingScoreIsMinusOneAndGivesTheDevkitsFigures} were computed with the
 * devkit's own {@code accumulate}, {@code calc_ap} and {@code calc_tp} (numpy 2.4.6) on the same boxes.
 */
class DevkitInputsTest {

    private static final String META = "\"meta\": {\"use_camera\": true, \"use_lidar\": true, \"use_radar\": false, "
            + "\"use_map\": false, \"use_external\": false}";

    @TempDir
    Path dir;

    private static String box(String token, double x, double y, String extra) {
        return "{\"sample_token\": \"" + token + "\", \"translation\": [" + x + ", " + y + ", 0.5], "
                + "\"size\": [1.9, 4.5, 1.6], \"rotation\": [1.0, 0.0, 0.0, 0.0], \"velocity\": [0.0, 0.0], "
                + "\"detection_name\": \"car\", \"attribute_name\": \"vehicle.parked\"" + extra + "}";
    }

    private Path write(String name, String results) throws IOException {
        Path p = dir.resolve(name + ".json");
        Files.writeString(p, "{" + META + ", \"results\": {" + results + "}}");
        return p;
    }

    private InputFormatException fails(String results) throws IOException {
        Path p = write("bad", results);
        return assertThrows(InputFormatException.class, () -> ResultsReader.read(p));
    }

    private static GtBox car(String token, int index, double x) {
        return new GtBox(token, index, "inst-" + index, null, DetectionClass.CAR, new double[] {x, 0.0, 0.5},
                new double[] {1.9, 4.5, 1.6}, new double[] {1, 0, 0, 0}, new double[] {0, 0}, "vehicle.parked", 5, 0);
    }

    private static DetectionMetrics evaluate(ResultsReader.Submission s, List<GtBox> gt) {
        List<SampleInfo> samples = new ArrayList<>();
        List<PredBox> preds = new ArrayList<>();
        for (var e : s.results().entrySet()) {
            samples.add(new SampleInfo(e.getKey(), "scene-1", new double[] {0, 0, 0}));
            preds.addAll(e.getValue());
        }
        return Fixtures.evaluateRun(samples, gt, preds);
    }

    @Test
    void anIntegerScoreIsReadAsThatFloat() throws IOException {
        ResultsReader.Submission s = ResultsReader.read(write("int", "\"s1\": [" + box("s1", 10, 0,
                ", \"detection_score\": 1") + "]"));
        assertEquals(1.0, s.results().get("s1").get(0).score());
    }

    @Test
    void aMissingScoreIsMinusOneAndGivesTheDevkitsFigures() throws IOException {
        // Two cars at x = 10 and 20; three predictions without a score (all -1.0, so ties: later box first).
        ResultsReader.Submission s = ResultsReader.read(write("missing", "\"s1\": [" + box("s1", 10.1, 0, "")
                + ", " + box("s1", 20.0, 0.3, "") + ", " + box("s1", 30.0, 0, "") + "]"));
        for (PredBox p : s.results().get("s1")) {
            assertEquals(ResultsReader.MISSING_SCORE, p.score());
        }
        DetectionMetrics m = evaluate(s, List.of(car("s1", 0, 10.0), car("s1", 1, 20.0)));
        for (int t = 0; t < DetectionConfig.DIST_THRESHOLDS.length; t++) {
            assertEquals(0.4006172839506173, m.ap(DetectionClass.CAR, t), 0.0, "threshold " + t);
        }
        assertEquals(0.29999999999999993, m.tpError(DetectionClass.CAR, TpMetric.TRANS), 0.0);
    }

    @Test
    void aPredictionWithZeroPointsIsDroppedAsTheDevkitsFilterDropsIt() throws IOException {
        ResultsReader.Submission with = ResultsReader.read(write("with", "\"s1\": [" + box("s1", 10.1, 0,
                ", \"detection_score\": 0.9, \"num_pts\": 0") + ", " + box("s1", 20.1, 0,
                ", \"detection_score\": 0.8") + ", " + box("s1", 30.0, 0, ", \"detection_score\": 0.7, \"num_pts\": 3")
                + ", " + box("s1", 11.0, 0, ", \"detection_score\": 0.6, \"num_pts\": 0.5") + "]"));
        ResultsReader.Submission without = ResultsReader.read(write("without", "\"s1\": [" + box("s1", 20.1, 0,
                ", \"detection_score\": 0.8") + ", " + box("s1", 30.0, 0, ", \"detection_score\": 0.7") + "]"));
        // num_pts 0 and 0.5 (Python int() gives 0) are dropped; 3 and an absent num_pts (-1) are kept
        assertEquals(2, with.zeroPointBoxes());
        assertEquals(List.of(1, 2), with.results().get("s1").stream().map(PredBox::boxIndex).toList(),
                "kept boxes keep their positions in the file");
        List<GtBox> gt = List.of(car("s1", 0, 10.0), car("s1", 1, 20.0));
        DetectionMetrics a = evaluate(with, gt);
        DetectionMetrics b = evaluate(without, gt);
        assertEquals(b.meanAp(), a.meanAp(), 0.0);
        assertEquals(b.nds(), a.nds(), 0.0);
        assertTrue(a.ap(DetectionClass.CAR, 3) < 1.0, "the dropped prediction at x = 10.1 no longer matches");
    }

    @Test
    void theSampleLimitCountsBoxesBeforeThePointFilter() throws IOException {
        StringBuilder sb = new StringBuilder("\"s1\": [");
        for (int i = 0; i < 501; i++) {
            sb.append(i == 0 ? "" : ", ").append(box("s1", 10, 0, ", \"detection_score\": 0.5, \"num_pts\": 0"));
        }
        InputFormatException e = fails(sb.append("]").toString());
        assertTrue(e.getMessage().contains("more than 500"), e.getMessage());
    }

    @Test
    void refusalsSayWhatTheDevkitDoes() throws IOException {
        InputFormatException e = fails("\"s1\": [" + box("s1", 10, 0, ", \"detection_score\": Infinity") + "]");
        assertEquals("results.s1[0].detection_score", e.field());
        assertTrue(e.getMessage().contains("the devkit accepts it"), e.getMessage());

        e = fails("\"s1\": [" + box("s1", 10, 0, ", \"detection_score\": NaN") + "]");
        assertTrue(e.getMessage().contains("may not be NaN (the devkit refuses it too)"), e.getMessage());

        e = fails("\"s1\": [" + box("s1", 10, 0, ", \"detection_score\": \"0.5\"") + "]");
        assertTrue(e.getMessage().contains("Python float(), which would also convert a numeric string"),
                e.getMessage());

        e = fails("\"s1\": [" + box("s1", 10, 0, ", \"detection_score\": 0.5").replace("[0.0, 0.0]",
                "[Infinity, 0.0]") + "]");
        assertEquals("results.s1[0].velocity[0]", e.field());
        assertTrue(e.getMessage().contains("the devkit accepts an infinite velocity")
                && e.getMessage().contains("mAVE Infinity"), e.getMessage());

        e = fails("\"s1\": [" + box("s1", 10, 0, ", \"detection_score\": 0.5, \"num_pts\": NaN") + "]");
        assertEquals("results.s1[0].num_pts", e.field());
        assertTrue(e.getMessage().contains("int() fails on it too"), e.getMessage());

        e = fails("\"s1\": [" + box("s1", 10, 0, ", \"detection_score\": 0.5, \"num_pts\": \"3\"") + "]");
        assertTrue(e.getMessage().contains("Python int()"), e.getMessage());
    }

    @Test
    void aSplitSampleMissingFromTheResultsIsRefusedAsTheDevkitRefusesIt() throws IOException {
        ResultsReader.Submission s = ResultsReader.read(write("partial", "\"s1\": [], \"s2\": []"));
        InputFormatException e = assertThrows(InputFormatException.class,
                () -> ResultsReader.checkCoversSplit(s, Set.of("s1", "s2", "s3")));
        assertEquals("results", e.field());
        assertTrue(e.getMessage().contains("1 of the 3 samples of the split are missing (e.g. s3)")
                && e.getMessage().contains("Samples in split doesn't match samples in predictions.")
                && e.getMessage().contains("partial.json"), e.getMessage());
        InputFormatException extra = assertThrows(InputFormatException.class,
                () -> ResultsReader.checkCoversSplit(s, Set.of("s1")));
        assertTrue(extra.getMessage().contains("1 listed sample(s) are not in the split (e.g. s2)"),
                extra.getMessage());
        ResultsReader.checkCoversSplit(s, Set.of("s1", "s2"));
    }
}
