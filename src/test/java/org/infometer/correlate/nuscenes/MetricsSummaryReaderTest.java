package org.infometer.correlate.nuscenes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsSummaryReaderTest {

    /** The shape Python's json.dump gives a devkit summary, bare NaN tokens included. */
    static final String SUMMARY = """
            {"label_aps": {"car": {"0.5": 0.71, "1.0": 0.80, "2.0": 0.85, "4.0": 0.88},
                           "traffic_cone": {"0.5": 0.5, "1.0": 0.55, "2.0": 0.6, "4.0": 0.62}},
             "mean_dist_aps": {"car": 0.81, "traffic_cone": 0.5675},
             "mean_ap": 0.4523,
             "label_tp_errors": {"car": {"trans_err": 0.18, "scale_err": 0.15, "orient_err": 0.06,
                                         "vel_err": 0.32, "attr_err": 0.19},
                                 "traffic_cone": {"trans_err": 0.21, "scale_err": 0.33, "orient_err": NaN,
                                                  "vel_err": NaN, "attr_err": NaN}},
             "tp_errors": {"trans_err": 0.35, "scale_err": 0.26, "orient_err": 0.41, "vel_err": 0.48,
                           "attr_err": 0.19},
             "tp_scores": {"trans_err": 0.65, "scale_err": 0.74, "orient_err": 0.59, "vel_err": 0.52,
                           "attr_err": 0.81},
             "nd_score": 0.5431, "eval_time": 91.5,
             "cfg": {"class_range": {"car": 50}, "dist_ths": [0.5, 1.0, 2.0, 4.0], "max_boxes_per_sample": 500},
             "meta": {"use_camera": true, "use_lidar": true, "use_radar": false, "use_map": false,
                      "use_external": false}}
            """;

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    @Test
    void parsesPythonNaNTokens() throws IOException {
        RunMetrics m = MetricsSummaryReader.read(write("metrics_summary.json", SUMMARY));
        assertEquals(0.4523, m.meanAp(), 0);
        assertEquals(0.5431, m.ndScore(), 0);
        assertEquals(0.85, m.labelAp("car", "2.0"), 0);
        assertEquals(0.5675, m.meanDistAps().get("traffic_cone"), 0);
        assertTrue(Double.isNaN(m.labelTpErrors().get("traffic_cone").get("orient_err")));
        assertEquals(0.48, m.tpError(TpMetric.VEL), 0);
        assertEquals(91.5, m.evalTimeSeconds(), 0);
    }

    @Test
    void wrongTypeNamesFileAndField() throws IOException {
        Path p = write("bad_type.json", SUMMARY.replace("\"2.0\": 0.85", "\"2.0\": \"0.85\""));
        InputFormatException e = assertThrows(InputFormatException.class, () -> MetricsSummaryReader.read(p));
        assertTrue(e.getMessage().contains("bad_type.json"), e.getMessage());
        assertEquals("label_aps.car.2.0", e.field());
        assertTrue(e.getMessage().contains("expected a number, found string"), e.getMessage());
    }

    @Test
    void missingRequiredFieldIsNamed() throws IOException {
        Path p = write("no_nds.json", SUMMARY.replace("\"nd_score\": 0.5431,", ""));
        InputFormatException e = assertThrows(InputFormatException.class, () -> MetricsSummaryReader.read(p));
        assertEquals("nd_score", e.field());
        assertTrue(e.getMessage().startsWith(p.toString() + ": field 'nd_score': missing"), e.getMessage());
    }

    @Test
    void nonObjectAndUnknownMetricAreNamed() throws IOException {
        Path p = write("flat.json", SUMMARY.replace("\"car\": {\"0.5\": 0.71, \"1.0\": 0.80, \"2.0\": 0.85, \"4.0\": 0.88}",
                "\"car\": 0.8"));
        assertEquals("label_aps.car",
                assertThrows(InputFormatException.class, () -> MetricsSummaryReader.read(p)).field());
        Path q = write("metric.json", SUMMARY.replace("\"scale_err\": 0.26", "\"scale_error\": 0.26"));
        assertEquals("tp_errors.scale_error",
                assertThrows(InputFormatException.class, () -> MetricsSummaryReader.read(q)).field());
    }

    @Test
    void brokenJsonGivesLineAndFile() throws IOException {
        Path p = write("broken.json", "{\"mean_ap\": 0.4,\n \"nd_score\": }");
        InputFormatException e = assertThrows(InputFormatException.class, () -> MetricsSummaryReader.read(p));
        assertTrue(e.getMessage().contains("broken.json") && e.getMessage().contains("line 2"), e.getMessage());
        InputFormatException missing = assertThrows(InputFormatException.class,
                () -> MetricsSummaryReader.read(dir.resolve("absent.json")));
        assertTrue(missing.getMessage().contains("absent.json: file does not exist"), missing.getMessage());
    }
}
