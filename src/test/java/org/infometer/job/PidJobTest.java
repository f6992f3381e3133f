package org.infometer.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.infometer.config.JobConfig;
import org.infometer.progress.Progress;
import org.infometer.synth.GenerateConfig;
import org.infometer.synth.GenerateJob;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PID job on generated data whose target structure is known, and the pid-columns mode on exact cases. */
class PidJobTest {

    @TempDir
    static Path dir;
    static SparkSession spark;
    static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    @BeforeAll
    static void generate() {
        spark = SparkTestSession.get();
        GenerateJob.run(spark, new GenerateConfig(dir.resolve("data").toString(), 4, 6, 8, 60, 16, 16, 3, 5, 2,
                "camera", "lidar"), Progress.stderr());
    }

    static JobConfig config(String name, String... overrides) throws Exception {
        ObjectNode root = (ObjectNode) JobConfig.JSON.readTree("{\"name\": \"" + name + "\"}");
        List<String> o = new ArrayList<>(List.of("input.features=" + dir.resolve("data/features"),
                "output.warehouse=" + dir.resolve("warehouse"), "output.summaryDir=" + dir.resolve("out"),
                "pid.k=[10]", "pid.pcaDims=6", "pid.bootstrap=20", "pid.fitTokens=4000", "pid.minSceneSamples=8"));
        o.addAll(Arrays.asList(overrides));
        return JobConfig.fromTree(root, o, java.time.LocalDate.of(2026, 11, 24), "test");
    }

    @Test
    void dominantTermMatchesTheGeneratedStructureAndIdentitiesHold() throws Exception {
        PidOutcome out = PidJob.run(spark, config("pid-e2e"), QUIET);
        Map<String, String> expected = Map.of("scheme_1", "unique_x", "scheme_2", "unique_y", "scheme_3", "synergy",
                "scheme_4", "redundancy");
        int runs = 0;
        for (PidAnalysis.PidRow r : out.rows()) {
            var p = r.result();
            assertTrue(p.converged(), p.message());
            assertEquals(p.miJointBits(), p.totalBits(), 1e-9);
            assertEquals(p.miX1YBits(), p.redundancyBits() + p.uniqueX1Bits(), 1e-9);
            assertEquals(p.miX2YBits(), p.redundancyBits() + p.uniqueX2Bits(), 1e-9);
            if (r.level().equals("run")) {
                runs++;
                assertEquals(expected.get(r.runId()), r.dominant(), r.runId() + ": " + p);
                assertEquals(6 * 8, r.samples());
                assertEquals(6 * 8 * 60, r.tokens());
                assertTrue(r.replicates() > 0 && r.low()[0] <= r.high()[0]);
                // Reported terms are bias-corrected, lie inside their own intervals, and keep the identities.
                double[] t = r.terms();
                double[] info = r.information();
                for (int i = 0; i < 4; i++) {
                    assertTrue(r.low()[i] <= t[i] && t[i] <= r.high()[i], r.runId() + " term " + i + ": " + t[i]
                            + " outside [" + r.low()[i] + ", " + r.high()[i] + "]");
                }
                assertEquals(info[2], t[0] + t[1] + t[2] + t[3], 1e-9);
                assertEquals(info[0], t[0] + t[1], 1e-9);
                // The plug-in synergy of a run without synergy is biased upward; the correction lowers it.
                if (!r.runId().equals("scheme_3")) {
                    assertTrue(t[3] < p.synergyBits(), r.runId() + ": corrected " + t[3] + " raw " + p.synergyBits());
                }
            }
        }
        assertEquals(4, runs);
        long sceneRows = spark.sql("SELECT COUNT(*) FROM im.infometer.pid WHERE job_name = 'pid-e2e' "
                + "AND level = 'scene'").first().getLong(0);
        assertEquals(4 * 6, sceneRows);
        // 8 samples x 60 tokens per scene over up to 10 x 10 x 2 cells: too few rows per cell, and the table says so.
        List<Row> scene = spark.sql("SELECT status, status_reason, n_tokens, n_occupied_cells FROM im.infometer.pid "
                + "WHERE job_name = 'pid-e2e' AND level = 'scene'").collectAsList();
        for (Row row : scene) {
            boolean sparse = (double) row.getLong(2) / row.getLong(3) < org.infometer.report.Validity.MIN_ROWS_PER_CELL;
            assertEquals(sparse, row.getString(1) != null && row.getString(1).contains("rows per occupied cell"),
                    row.toString());
            assertEquals(row.getString(1) == null, row.getString(0).equals("ok"), row.toString());
        }
        com.fasterxml.jackson.databind.JsonNode summary = JobConfig.JSON.readTree(dir.resolve("out/pid-e2e/2026-11-24/"
                + "summary.json").toFile());
        long notOk = out.rows().stream().filter(x -> !x.verdict().ok()).count();
        assertEquals(notOk == 0 ? "succeeded" : "succeeded_with_warnings", summary.get("status").asText());
        assertEquals(out.rows().size() - notOk, summary.get("ok_rows").asLong());
    }

    @Test
    void resultsDoNotDependOnPartitioning() throws Exception {
        PidOutcome a = PidJob.run(spark, config("pid-p1", "input.repartition=1", "pid.bootstrap=5"), QUIET);
        PidOutcome b = PidJob.run(spark, config("pid-p5", "input.repartition=5", "pid.bootstrap=5"), QUIET);
        assertEquals(a.rows().size(), b.rows().size());
        for (int i = 0; i < a.rows().size(); i++) {
            assertEquals(a.rows().get(i).result(), b.rows().get(i).result());
            assertTrue(Arrays.equals(a.rows().get(i).low(), b.rows().get(i).low()));
        }
    }

    @Test
    void pidColumnsReproducesTheAndGateOnAnyTable() {
        // AND: outcomes (x1, x2, y) 000, 010, 100, 111 equally likely; R = 1.5 - 0.75 log2 3, S = 0.5
        List<Row> rows = new ArrayList<>();
        int[][] outcomes = {{0, 0, 0}, {0, 1, 0}, {1, 0, 0}, {1, 1, 1}};
        for (int rep = 0; rep < 25; rep++) {
            for (int[] o : outcomes) {
                rows.add(RowFactory.create("g", "a" + o[0], o[1], o[2] == 1));
            }
        }
        rows.add(RowFactory.create("g", null, 1, true));
        Path table = dir.resolve("and-table");
        spark.createDataFrame(rows, StructType.fromDDL("grp STRING, cam STRING, lid INT, label BOOLEAN"))
                .write().parquet(table.toString());
        List<String> lines = PidJob.columns(spark, table.toString(), "cam", "lid", "label", "grp", QUIET);
        assertTrue(lines.get(0).contains("1 rows with a null"), lines.get(0));
        double r = 1.5 - 0.75 * Math.log(3) / Math.log(2);
        assertTrue(lines.get(1).contains(String.format("R %.6f", r)), lines.get(1));
        assertTrue(lines.get(1).contains("S 0.500000"), lines.get(1));
        assertTrue(lines.get(1).contains("converged"), lines.get(1));
    }

    @Test
    void distributedCountsEqualCountsComputedDirectly() throws Exception {
        JobConfig cfg = config("pid-counts");
        String path = dir.resolve("data/features").toString();
        org.infometer.schema.FeatureContract contract = new org.infometer.schema.FeatureContract("camera", "lidar");
        var features = org.infometer.io.FeatureInput.open(spark, path, contract, 3, List.of("target"));
        KeyScan.Result scan = KeyScan.scan(features, contract, path);
        Map<String, PidJob.RunDiscretizers> d = PidJob.fitDiscretizers(spark, features, scan.validator(), scan, cfg);
        var bd = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(d);
        Map<String, Map<Long, Long>> distributed = new java.util.TreeMap<>();
        for (org.infometer.pid.SampleCounts c : PidPerSampleReference.count(features, scan.validator(), bd, 1, true)) {
            for (int i = 0; i < c.cells().length; i++) {
                distributed.computeIfAbsent(c.runId(), r -> new java.util.TreeMap<>())
                        .merge(c.cells()[i], c.counts()[i], Long::sum);
            }
        }
        Map<String, Map<Long, Long>> direct = new java.util.TreeMap<>();
        for (Row r : spark.read().parquet(path).collectAsList()) {
            String run = r.getString(r.fieldIndex("run_id"));
            int t = r.getInt(r.fieldIndex("camera_tokens"));
            float[] x = toFloats(r.getList(r.fieldIndex("camera")));
            float[] y = toFloats(r.getList(r.fieldIndex("lidar")));
            List<Integer> target = r.getList(r.fieldIndex("target"));
            PidJob.RunDiscretizers rd = d.get(run);
            float[] sx = new float[rd.x().dims()];
            float[] sy = new float[rd.y().dims()];
            for (int i = 0; i < t; i++) {
                long cell = org.infometer.pid.SampleCounts.pack(rd.x().assign(x, i, 0, sx), rd.y().assign(y, i, 0, sy),
                        10, target.get(i));
                direct.computeIfAbsent(run, k -> new java.util.TreeMap<>()).merge(cell, 1L, Long::sum);
            }
        }
        assertEquals(direct, distributed);
        assertEquals(4, direct.size());
    }

    static float[] toFloats(List<Float> v) {
        float[] f = new float[v.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = v.get(i);
        }
        return f;
    }
}
