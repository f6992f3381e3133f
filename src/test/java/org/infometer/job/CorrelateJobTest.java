package org.infometer.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.report.CorrelateResult;
import org.infometer.config.CorrelateConfig;
import org.infometer.config.JobConfig;
import org.infometer.correlate.nuscenes.MetricsSummaryReader;
import org.infometer.correlate.nuscenes.RunMetrics;
import org.infometer.progress.Progress;
import org.infometer.schema.InputException;
import org.infometer.synth.GenerateConfig;
import org.infometer.synth.GenerateJob;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The correlate mode end to end: generated data, the MI job, then correlation with detection accuracy. */
class CorrelateJobTest {

    static final LocalDate DATE = LocalDate.of(2026, 11, 24);
    static final int RUNS = 4;
    static final int SCENES = 16;

    @TempDir
    static Path dir;
    static SparkSession spark;
    static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());
    static final Progress SILENT = new Progress(QUIET);

    @BeforeAll
    static void generateAndMeasure() throws IOException {
        spark = SparkTestSession.get();
        GenerateJob.run(spark, new GenerateConfig(data().toString(), RUNS, SCENES, 6, 40, 12, 10, 3, 11, 3,
                "camera", "lidar"), SILENT);
        ObjectNode root = (ObjectNode) JobConfig.JSON.readTree("{\"name\": \"mi\"}");
        JobConfig mi = JobConfig.fromTree(root, List.of("input.features=" + data().resolve("features"),
                "output.warehouse=" + dir.resolve("warehouse"), "output.summaryDir=" + dir.resolve("out")), DATE,
                "test");
        MeasureJob.run(spark, mi, QUIET, SILENT);
    }

    static Path data() {
        return dir.resolve("data");
    }

    static CorrelateConfig config(String name, String... overrides) {
        try {
            ObjectNode root = (ObjectNode) JobConfig.JSON.readTree("{\"name\": \"" + name + "\"}");
            List<String> o = new ArrayList<>(List.of("mi.jobName=mi",
                    "runAccuracy.metricsDir=" + data().resolve("metrics"),
                    "sceneAccuracy.detections=" + data().resolve("detections"),
                    "sceneAccuracy.gtBoxes=" + data().resolve("gt_boxes"),
                    "output.warehouse=" + dir.resolve("warehouse"),
                    "stats.permutations=999", "stats.bootstrapResamples=300"));
            o.addAll(Arrays.asList(overrides));
            return CorrelateConfig.fromTree(root, o, DATE, "test");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Row correlation(String job, String level, String x, String y, String method) {
        List<Row> rows = spark.table("im.infometer.correlation").filter(String.format(
                "job_name = '%s' AND level = '%s' AND x_name = '%s' AND y_name = '%s' AND method = '%s'",
                job, level, x, y, method)).collectAsList();
        assertEquals(1, rows.size(), job + " " + level + " " + x + " " + y + " " + method);
        return rows.get(0);
    }

    @Test
    void sceneLevelMiAndMapAreNegativelyCorrelatedAndRunLevelPValuesAreExact() {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        CorrelateResult r = CorrelateJob.run(spark, config("corr", "pid.table=pid_absent"),
                new PrintStream(console, true, StandardCharsets.UTF_8), SILENT);
        String text = console.toString(StandardCharsets.UTF_8);

        Row scene = correlation("corr", "scene", "mi_bits_per_token", "map_present_classes", "spearman");
        int n = scene.getInt(scene.fieldIndex("n"));
        double rho = scene.getDouble(scene.fieldIndex("coefficient"));
        double p = scene.getDouble(scene.fieldIndex("p_value"));
        assertEquals(RUNS * SCENES, n);
        assertTrue(rho < -0.3, "scene-level Spearman " + rho);
        assertTrue(p < 0.01, "scene-level p " + p);
        assertEquals("monte-carlo", scene.getString(scene.fieldIndex("p_value_kind")));
        assertEquals("negative", scene.getString(scene.fieldIndex("direction")));
        assertEquals("mi", scene.getString(scene.fieldIndex("mi_job_name")));
        assertTrue(scene.getDouble(scene.fieldIndex("ci_high")) < 0, "CI excludes 0");

        List<Row> run = spark.table("im.infometer.correlation")
                .filter("job_name = 'corr' AND level = 'run'").collectAsList();
        // 3 x variables x 2 y variables x 3 methods
        assertEquals(18, run.size());
        for (Row row : run) {
            assertEquals(RUNS, row.getInt(row.fieldIndex("n")));
            assertEquals("exact", row.getString(row.fieldIndex("p_value_kind")));
            assertEquals(24L, row.getLong(row.fieldIndex("permutations")));
        }
        Row sp = correlation("corr", "run", "mi_bits_per_token", "map", "spearman");
        assertEquals(1.0 / 12, sp.getDouble(sp.fieldIndex("min_attainable_p")), 1e-12);
        assertTrue(text.contains("With n = 4 runs, even a perfect rank correlation (rho = -1 or +1) gives exact "
                + "two-sided p = 1/12"), text);
        assertTrue(text.contains("Scene level"), text);
        assertTrue(text.contains("Note: no table im.infometer.pid_absent: PID terms skipped"), text);

        // The metrics_summary.json files and our evaluation of the detections describe the same predictions.
        List<Row> acc = spark.table("im.infometer.run_accuracy").filter("job_name = 'corr'").collectAsList();
        assertEquals(RUNS, acc.size());
        for (Row a : acc) {
            assertEquals(a.getDouble(a.fieldIndex("map")), a.getDouble(a.fieldIndex("map_from_detections")), 1e-12);
            assertEquals(a.getDouble(a.fieldIndex("nds")), a.getDouble(a.fieldIndex("nds_from_detections")), 1e-12);
            assertTrue(a.getString(a.fieldIndex("source")).endsWith(a.getString(a.fieldIndex("run_id"))
                    + "/metrics_summary.json"));
        }
        long scenes = spark.table("im.infometer.scene_accuracy").filter("job_name = 'corr'").count();
        assertEquals(RUNS * SCENES, scenes);
        assertEquals(RUNS * SCENES, r.sceneAccuracyRows());
    }

    @Test
    void generatedSummariesAreDevkitFilesWithNaNTokensMatchingTheRunMetricsTable() throws IOException {
        List<Row> table = spark.read().parquet(data().resolve("run_metrics").toString()).orderBy("run_id")
                .collectAsList();
        assertEquals(RUNS, table.size());
        for (Row row : table) {
            Path file = data().resolve("metrics").resolve(row.getString(0)).resolve("metrics_summary.json");
            String text = Files.readString(file);
            assertTrue(text.startsWith("{\n  \"label_aps\": {"), text.substring(0, 40));
            assertTrue(text.contains("\"orient_err\": NaN"), "bare NaN tokens for excluded TP errors");
            RunMetrics m = MetricsSummaryReader.read(file);
            assertEquals(row.getDouble(row.fieldIndex("map")), m.meanAp(), 0);
            assertEquals(row.getDouble(row.fieldIndex("nds")), m.ndScore(), 0);
            assertTrue(m.meanAp() > 0 && m.meanAp() < 1);
            assertTrue(Double.isNaN(m.labelTpErrors().get("traffic_cone").get("attr_err")));
        }
    }

    @Test
    void missingAccuracyForARunNamesTheRunAndFileAndChangesNoTable() throws IOException {
        Path metrics = dir.resolve("metrics-without-scheme_3");
        for (String run : List.of("scheme_1", "scheme_2", "scheme_4")) {
            Path to = metrics.resolve(run);
            Files.createDirectories(to);
            Files.copy(data().resolve("metrics").resolve(run).resolve("metrics_summary.json"),
                    to.resolve("metrics_summary.json"));
        }
        CorrelateConfig cfg = config("missing", "runAccuracy.metricsDir=" + metrics);
        InputException e = assertThrows(InputException.class, () -> CorrelateJob.run(spark, cfg, QUIET, SILENT));
        assertTrue(e.getMessage().contains("run scheme_3: " + metrics.resolve("scheme_3/metrics_summary.json")
                .toUri().getPath()) || e.getMessage().contains("run scheme_3: file:" + metrics.resolve(
                "scheme_3/metrics_summary.json")), e.getMessage());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertTrue(!spark.catalog().tableExists("im.infometer.correlation")
                || spark.table("im.infometer.correlation").filter("job_name = 'missing'").count() == 0);

        // A malformed summary names the file and the field.
        Path bad = metrics.resolve("scheme_3");
        Files.createDirectories(bad);
        Files.writeString(bad.resolve("metrics_summary.json"), "{\"mean_ap\": 0.4, \"nd_score\": \"high\"}");
        Exception e2 = assertThrows(RuntimeException.class, () -> CorrelateJob.run(spark, cfg, QUIET, SILENT));
        assertTrue(e2.getMessage().contains("scheme_3/metrics_summary.json") && e2.getMessage().contains("nd_score"),
                e2.getMessage());
        assertEquals(3, Main.run(new String[] {"correlate", writeJob("missing-cli",
                "\"runAccuracy\": {\"metricsDir\": \"" + metrics + "\"}").toString(), "--run-date",
                DATE.toString()}));
    }

    @Test
    void badConfigFailsBeforeSparkWithAClearMessage() throws IOException {
        IllegalArgumentException unknownX = assertThrows(IllegalArgumentException.class,
                () -> config("bad", "x=[\"mi_bits\"]"));
        assertTrue(unknownX.getMessage().contains("x: unknown variable 'mi_bits'")
                && unknownX.getMessage().contains("mi_bits_per_token"), unknownX.getMessage());
        IllegalArgumentException twoSources = assertThrows(IllegalArgumentException.class,
                () -> config("bad", "runAccuracy.table=im.infometer.run_metrics"));
        assertTrue(twoSources.getMessage().contains("runAccuracy needs exactly one of metricsDir, parquet, table"),
                twoSources.getMessage());
        IllegalArgumentException badY = assertThrows(IllegalArgumentException.class,
                () -> config("bad", "y.scene=[\"mAP\"]"));
        assertTrue(badY.getMessage().contains("y.scene: unknown variable 'mAP'"), badY.getMessage());
        IllegalArgumentException stats = assertThrows(IllegalArgumentException.class,
                () -> config("bad", "stats.ciLevel=95"));
        assertTrue(stats.getMessage().contains("stats.ciLevel must lie in (0, 1)"), stats.getMessage());
        IllegalArgumentException noMi = assertThrows(IllegalArgumentException.class,
                () -> config("bad", "mi.jobName=null"));
        assertTrue(noMi.getMessage().contains("mi.jobName"), noMi.getMessage());

        Path typo = writeJob("typo", "\"runAccuracy\": {\"metricsDir\": \"m\"}, \"sceneAcuracy\": {}");
        IllegalArgumentException unknownField = assertThrows(IllegalArgumentException.class,
                () -> CorrelateConfig.load(typo, List.of(), DATE));
        assertTrue(unknownField.getMessage().contains("sceneAcuracy"), unknownField.getMessage());
        assertEquals(2, Main.run(new String[] {"correlate", typo.toString()}));
        assertEquals(2, Main.run(new String[] {"correlate", writeJob("cli", "").toString(), "--set",
                "mi.runDate=yesterday"}));
        assertEquals(3, Main.run(new String[] {"correlate", writeJob("cli", "").toString(), "--set",
                "mi.runDate=2020-01-01"}), "no MI rows on that date is bad input");
    }

    @Test
    void runAccuracyFromAParquetTableSceneAccuracyFromResultsJsonAndPidTerms() throws IOException {
        spark.sql("CREATE TABLE IF NOT EXISTS im.infometer.pid_test (run_date DATE, job_name STRING, "
                + "run_id STRING, scene_token STRING, redundancy_bits DOUBLE, synergy_bits DOUBLE) USING iceberg");
        spark.sql("INSERT INTO im.infometer.pid_test VALUES "
                + "(DATE'2026-11-24', 'mi', 'scheme_1', NULL, 0.1, 0.4), (DATE'2026-11-24', 'mi', 'scheme_2', NULL, 0.2, 0.3), "
                + "(DATE'2026-11-24', 'mi', 'scheme_3', NULL, 0.3, 0.2), (DATE'2026-11-24', 'mi', 'scheme_4', NULL, 0.4, 0.1)");
        Path results = writeResultsJson();
        CorrelateConfig cfg = config("table-pid", "runAccuracy.metricsDir=", "runAccuracy.parquet="
                + data().resolve("run_metrics"), "sceneAccuracy.detections=", "sceneAccuracy.resultsDir=" + results,
                "pid.table=pid_test", "pid.terms=[\"redundancy_bits\", \"synergy_bits\"]",
                "x=[\"mi_bits_per_token\"]", "y.scene=[\"map_present_classes\"]");
        CorrelateResult r = CorrelateJob.run(spark, cfg, QUIET, SILENT);
        // Run: mi_bits_per_token, pid_redundancy_bits, pid_synergy_bits x map, nds x 3 methods; scene: 1 x 1 x 3.
        assertEquals(18 + 3, r.rows().size());
        Row k = correlation("table-pid", "run", "pid_redundancy_bits", "map", "kendall_tau_b");
        assertEquals(RUNS, k.getInt(k.fieldIndex("n")));
        Row scene = correlation("table-pid", "scene", "mi_bits_per_token", "map_present_classes", "spearman");
        assertTrue(scene.getDouble(scene.fieldIndex("coefficient")) < -0.3);
        // The results files hold the same predictions the run_metrics table was computed from.
        for (Row a : spark.table("im.infometer.run_accuracy").filter("job_name = 'table-pid'").collectAsList()) {
            assertEquals(a.getDouble(a.fieldIndex("map")), a.getDouble(a.fieldIndex("map_from_detections")), 1e-12);
            assertTrue(!a.isNullAt(a.fieldIndex("mate_m")), "TP errors read from the table");
        }
    }

    /** The generated detections as devkit submissions, {@code <dir>/<run_id>/results_nusc.json}. */
    static Path writeResultsJson() throws IOException {
        Path out = dir.resolve("results");
        List<Row> rows = spark.read().parquet(data().resolve("detections").toString())
                .orderBy("run_id", "sample_token", "box_index").collectAsList();
        java.util.Map<String, ObjectNode> byRun = new java.util.TreeMap<>();
        for (Row r : rows) {
            ObjectNode sub = byRun.computeIfAbsent(r.getString(r.fieldIndex("run_id")), run -> {
                ObjectNode o = JobConfig.JSON.createObjectNode();
                o.putObject("meta").put("use_camera", true).put("use_lidar", true).put("use_radar", false)
                        .put("use_map", false).put("use_external", false);
                o.putObject("results");
                return o;
            });
            String token = r.getString(r.fieldIndex("sample_token"));
            ObjectNode res = (ObjectNode) sub.get("results");
            com.fasterxml.jackson.databind.node.ArrayNode boxes = res.has(token) ? (com.fasterxml.jackson.databind
                    .node.ArrayNode) res.get(token) : res.putArray(token);
            ObjectNode b = boxes.addObject();
            b.put("sample_token", token);
            for (String f : List.of("translation", "size", "rotation", "velocity")) {
                com.fasterxml.jackson.databind.node.ArrayNode a = b.putArray(f);
                for (Object v : r.getList(r.fieldIndex(f))) {
                    a.add((Double) v);
                }
            }
            b.put("detection_name", r.getString(r.fieldIndex("detection_name")));
            b.put("detection_score", r.getDouble(r.fieldIndex("detection_score")));
            b.put("attribute_name", r.getString(r.fieldIndex("attribute_name")));
        }
        for (java.util.Map.Entry<String, ObjectNode> e : byRun.entrySet()) {
            Path file = out.resolve(e.getKey()).resolve("results_nusc.json");
            Files.createDirectories(file.getParent());
            JobConfig.JSON.writeValue(file.toFile(), e.getValue());
        }
        return out;
    }

    static Path writeJob(String name, String extra) throws IOException {
        Path job = dir.resolve(name + ".json");
        Files.writeString(job, "{\"name\": \"" + name + "\", \"mi\": {\"jobName\": \"mi\"}, "
                + (extra.isEmpty() ? "\"runAccuracy\": {\"metricsDir\": \"" + data().resolve("metrics") + "\"}"
                : extra) + ", \"y\": {\"run\": [\"map\"], \"scene\": []}, \"output\": {\"warehouse\": \""
                + dir.resolve("warehouse") + "\"}}");
        return job;
    }
}
