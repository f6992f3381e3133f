package org.infometer.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.infometer.config.JobConfig;
import org.infometer.report.MeasureResult;
import org.infometer.report.Validity;
import org.infometer.schema.TableContract;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Validity status end to end: the Gaussian estimator on a 5 + 5 multivariate Student-t with nu = 1 (heavy tails,
 * true MI 1.16 bits per token) must come out unreliable, in the table, on the console and in summary.json, while a
 * jointly Gaussian run in the same job (where the Gaussian model is exact) stays ok; the job still succeeds.
 */
class ValidityJobTest {

    @TempDir
    static Path dir;
    static SparkSession spark;
    static final int SCENES = 20;
    static final int PER_SCENE = 10;
    static final int TOKENS = 50;
    static final int D = 5;

    @BeforeAll
    static void generate() {
        spark = SparkTestSession.get();
        List<Row> rows = new ArrayList<>();
        for (String run : List.of("gaussian", "student_t")) {
            SplittableRandom rnd = new SplittableRandom(run.hashCode());
            for (int s = 0; s < SCENES; s++) {
                for (int p = 0; p < PER_SCENE; p++) {
                    Float[] x = new Float[TOKENS * D];
                    Float[] y = new Float[TOKENS * D];
                    for (int t = 0; t < TOKENS; t++) {
                        // Student-t nu = 1: a normal vector divided by sqrt(chi2_1); Gaussian: rho = 0.6 per pair.
                        double g = rnd.nextGaussian();
                        double scale = run.equals("student_t") ? 1 / Math.abs(g) : 1;
                        for (int c = 0; c < D; c++) {
                            double a = rnd.nextGaussian();
                            double b = rnd.nextGaussian();
                            if (run.equals("gaussian")) {
                                b = 0.6 * a + 0.8 * b;
                            }
                            x[t * D + c] = (float) (scale * a);
                            y[t * D + c] = (float) (scale * b);
                        }
                    }
                    rows.add(RowFactory.create(run, "scene-" + s, run + "-sample-" + s + "-" + p,
                            1_000_000L * s + p, Arrays.asList(x), TOKENS, D, Arrays.asList(y), TOKENS, D));
                }
            }
        }
        spark.createDataFrame(rows, TableContract.load("features").schema("camera", "lidar")).coalesce(2)
                .write().mode(SaveMode.Overwrite).parquet(dir.resolve("features").toString());
    }

    @Test
    void heavyTailedRunIsUnreliableEverywhereAndTheGaussianRunIsOk() throws Exception {
        ObjectNode root = (ObjectNode) JobConfig.JSON.readTree("{\"name\": \"validity\"}");
        JobConfig cfg = JobConfig.fromTree(root, List.of("input.features=" + dir.resolve("features"),
                "output.catalog=imvalidity", "output.warehouse=" + dir.resolve("warehouse"),
                "output.summaryDir=" + dir.resolve("out")), java.time.LocalDate.of(2026, 11, 24), "test");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        MeasureResult r = MeasureJob.run(spark, cfg, new PrintStream(console, true, StandardCharsets.UTF_8));
        String text = console.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        Validity.Verdict t = r.runValidity().get("student_t");
        Validity.Verdict g = r.runValidity().get("gaussian");
        assertEquals(Validity.Status.UNRELIABLE, t.status(), t.toString());
        assertTrue(t.reason().contains("heavy tails"), t.reason());
        assertEquals(Validity.Status.OK, g.status(), String.valueOf(g.reason()));
        assertEquals("succeeded_with_warnings", r.status());
        // the overfit check's subsample: about one sample in ten scored by a model fitted with it
        List<org.infometer.report.SampleResult> gs = r.samples().stream().filter(s -> s.runId().equals("gaussian"))
                .toList();
        long seen = gs.stream().filter(s -> s.inFoldMiBits() != null).count();
        assertTrue(seen >= 5 && seen <= 3 * gs.size() / 10, seen + " of " + gs.size() + " samples scored in fold");
        double[] gap = Validity.overfitGap(gs);
        assertTrue(gap[0] > -3 * gap[2] && gap[0] < 0.05, "in-fold optimism of a well-posed Gaussian: " + gap[0]);
        // scene values of the Gaussian run are refitted per scene
        assertTrue(r.scenes().stream().filter(s -> s.runId().equals("gaussian")).allMatch(s -> s.refitted()
                && s.refitPairs() >= 1));

        String tLine = text.lines().filter(l -> l.startsWith("student_t")).findFirst().orElseThrow();
        assertTrue(tLine.contains("UNRELIABLE (" + t.reason() + ")"), tLine);
        String gLine = text.lines().filter(l -> l.startsWith("gaussian")).findFirst().orElseThrow();
        assertTrue(!gLine.contains("UNRELIABLE") && !gLine.contains("FAILED"), gLine);

        List<Row> table = spark.sql("SELECT run_id, status, status_reason FROM imvalidity.infometer.run_mi "
                + "WHERE job_name = 'validity' ORDER BY run_id").collectAsList();
        assertEquals("ok", table.get(0).getString(1));
        assertNull(table.get(0).get(2));
        assertEquals("unreliable", table.get(1).getString(1));
        assertEquals(t.reason(), table.get(1).getString(2));
        long sceneRows = spark.sql("SELECT COUNT(*) FROM imvalidity.infometer.scene_mi WHERE job_name = 'validity' "
                + "AND status IS NOT NULL").first().getLong(0);
        assertEquals(2 * SCENES, sceneRows);

        JsonNode summary = JobConfig.JSON.readTree(r.summary().toFile());
        assertEquals("succeeded_with_warnings", summary.get("status").asText());
        long notOk = r.runValidity().values().stream().filter(v -> !v.ok()).count()
                + r.sceneValidity().values().stream().filter(v -> !v.ok()).count();
        assertEquals(notOk, summary.get("unreliable_rows").asLong() + summary.get("failed_rows").asLong());
        assertEquals(2 + 2 * SCENES, summary.get("ok_rows").asLong() + notOk);
        for (JsonNode run : summary.get("runs")) {
            String id = run.get("run_id").asText();
            assertEquals(r.runValidity().get(id).status().label(), run.get("status").asText());
            long scenesNotOk = r.sceneValidity().entrySet().stream()
                    .filter(e -> e.getKey().startsWith(id + "\u0000") && !e.getValue().ok()).count();
            assertEquals(scenesNotOk, run.get("scenes_not_ok").size());
        }
        // Scenes are scored by the run's models: the heavy-tailed run's scenes inherit its status.
        assertEquals(SCENES, summary.get("runs").get(1).get("scenes_not_ok").size());
        assertTrue(summary.get("runs").get(1).get("scenes_not_ok").get(0).get("status_reason").asText()
                .contains("scored by the run's models"));
    }
}
