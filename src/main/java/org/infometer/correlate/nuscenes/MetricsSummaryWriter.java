package org.infometer.correlate.nuscenes;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@link RunMetrics} as a devkit {@code metrics_summary.json}: the same keys and nesting, classes in the
 * devkit's order, and NaN written as the bare token Python's json module writes (the TP errors the devkit
 * excludes, e.g. a traffic cone's orientation error), so {@link MetricsSummaryReader} reads it back exactly.
 *
 * <p>Usage: {@code MetricsSummaryWriter.write(DetectionRows.runMetrics(row, label), dir.resolve("metrics_summary.json"));}
 */
public final class MetricsSummaryWriter {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .build();

    /** Python's {@code json.dump(..., indent=2)} layout: two-space indents, {@code "key": value}. */
    private static final class PythonLayout extends DefaultPrettyPrinter {

        PythonLayout() {
            DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
            indentObjectsWith(indenter);
            indentArraysWith(indenter);
        }

        @Override
        public DefaultPrettyPrinter createInstance() {
            return new PythonLayout();
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }
    }

    private MetricsSummaryWriter() {
    }

    public static void write(RunMetrics m, Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, toJson(m));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static String toJson(RunMetrics m) {
        return toJson(m, null);
    }

    /**
     * As the devkit writes it: the metrics, then {@code meta}, the submission's own meta block (which sensors and
     * data the predictions used), when known; a flag the submission left out stays null.
     */
    public static String toJson(RunMetrics m, ResultsReader.Meta meta) {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> labelAps = new LinkedHashMap<>();
        Map<String, Object> meanDistAps = new LinkedHashMap<>();
        Map<String, Object> labelTp = new LinkedHashMap<>();
        for (DetectionClass c : DetectionClass.values()) {
            Map<String, Double> aps = m.labelAps().get(c.id());
            if (aps == null) {
                continue;
            }
            Map<String, Object> byThreshold = new LinkedHashMap<>();
            for (String t : DetectionConfig.DIST_THRESHOLD_KEYS) {
                byThreshold.put(t, aps.get(t));
            }
            labelAps.put(c.id(), byThreshold);
            if (m.meanDistAps().containsKey(c.id())) {
                meanDistAps.put(c.id(), m.meanDistAps().get(c.id()));
            }
            Map<String, Double> tp = m.labelTpErrors().get(c.id());
            if (tp != null) {
                Map<String, Object> errors = new LinkedHashMap<>();
                for (TpMetric t : TpMetric.values()) {
                    errors.put(t.key(), tp.get(t.key()));
                }
                labelTp.put(c.id(), errors);
            }
        }
        Map<String, Object> tpErrors = new LinkedHashMap<>();
        Map<String, Object> tpScores = new LinkedHashMap<>();
        for (TpMetric t : TpMetric.values()) {
            double e = m.tpError(t);
            tpErrors.put(t.key(), e);
            tpScores.put(t.key(), m.tpScores().getOrDefault(t.key(), Double.isNaN(e) ? Double.NaN : Math.max(0, 1 - e)));
        }
        root.put("label_aps", labelAps);
        root.put("mean_dist_aps", meanDistAps);
        root.put("mean_ap", m.meanAp());
        root.put("label_tp_errors", labelTp);
        root.put("tp_errors", tpErrors);
        root.put("tp_scores", tpScores);
        root.put("nd_score", m.ndScore());
        root.put("eval_time", Double.isNaN(m.evalTimeSeconds()) ? 0.0 : m.evalTimeSeconds());
        root.put("cfg", config());
        if (meta != null) {
            Map<String, Object> mb = new LinkedHashMap<>();
            mb.put("use_camera", meta.useCamera());
            mb.put("use_lidar", meta.useLidar());
            mb.put("use_radar", meta.useRadar());
            mb.put("use_map", meta.useMap());
            mb.put("use_external", meta.useExternal());
            root.put("meta", mb);
        }
        try {
            return MAPPER.writer(new PythonLayout()).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The evaluation configuration block, as the devkit serialises {@code detection_cvpr_2019}. */
    private static Map<String, Object> config() {
        Map<String, Object> cfg = new LinkedHashMap<>();
        Map<String, Object> ranges = new LinkedHashMap<>();
        for (DetectionClass c : DetectionClass.values()) {
            ranges.put(c.id(), (int) c.rangeMeters());
        }
        List<Double> ths = new ArrayList<>();
        for (double t : DetectionConfig.DIST_THRESHOLDS) {
            ths.add(t);
        }
        cfg.put("class_range", ranges);
        cfg.put("dist_fcn", "center_distance");
        cfg.put("dist_ths", ths);
        cfg.put("dist_th_tp", DetectionConfig.DIST_THRESHOLDS[DetectionConfig.TP_THRESHOLD_INDEX]);
        cfg.put("min_recall", DetectionConfig.MIN_RECALL);
        cfg.put("min_precision", DetectionConfig.MIN_PRECISION);
        cfg.put("max_boxes_per_sample", DetectionConfig.MAX_BOXES_PER_SAMPLE);
        cfg.put("mean_ap_weight", (int) DetectionConfig.MEAN_AP_WEIGHT);
        return cfg;
    }
}
