package org.infometer.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.progress.Progress;
import org.infometer.synth.GenerateConfig;
import org.infometer.synth.GenerateJob;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The history table kept by the MI job and the history mode: three dates of a job (each on other generated data)
 * and a rerun of the middle date on yet other data.
 */
class HistoryModeTest {

    static final String JOB = "hist";
    static final List<String> DATES = List.of("2026-11-22", "2026-11-23", "2026-11-24");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static SparkSession spark;
    /** summary.json of each date after the rerun, whose run values history must hold. */
    static final Map<String, JsonNode> SUMMARIES = new HashMap<>();
    static JsonNode firstMiddle;

    @BeforeAll
    static void threeDatesAndARerun() throws Exception {
        spark = SparkTestSession.get();
        Path job = Files.writeString(dir.resolve(JOB + ".json"), "{\"name\": \"" + JOB + "\", \"output\": {"
                + "\"warehouse\": \"" + dir.resolve("warehouse") + "\", \"summaryDir\": \"" + dir.resolve("out")
                + "\"}, \"drift\": {\"previousDates\": 2, \"zThreshold\": 3.0}}");
        int seed = 1;
        for (String d : List.of(DATES.get(0), DATES.get(1), DATES.get(2), DATES.get(1))) {
            Path data = dir.resolve("data" + seed);
            GenerateJob.run(spark, new GenerateConfig(data.toString(), 2, 4, 6, 20, 6, 5, 2, seed, 2, "camera",
                    "lidar"), new Progress(new PrintStream(PrintStream.nullOutputStream())));
            seed++;
            int rc = quietly(() -> MainAccess.run("run", job.toString(), "--run-date", d, "--set",
                    "input.features=" + data.resolve("features")));
            assertEquals(0, rc, "run " + d);
            if (firstMiddle == null && d.equals(DATES.get(1))) {
                firstMiddle = JSON.readTree(dir.resolve("out/" + JOB + "/" + d + "/summary.json").toFile());
            }
        }
        for (String d : DATES) {
            SUMMARIES.put(d, JSON.readTree(dir.resolve("out/" + JOB + "/" + d + "/summary.json").toFile()));
        }
    }

    @Test
    void everyDateHasOneRowPerRunWithTheRunsValuesAndTheRerunReplacedItsDate() {
        List<Row> rows = spark.sql("SELECT * FROM im.infometer.history WHERE job_name = '" + JOB
                + "' ORDER BY run_date, run_id").collectAsList();
        assertEquals(6, rows.size(), "3 dates x 2 runs, the rerun of the middle date replacing its rows");
        Map<String, Integer> perRun = new HashMap<>();
        for (Row r : rows) {
            perRun.merge(r.getAs("run_id") + "/" + r.getAs("estimator"), 1, Integer::sum);
            JsonNode run = run(SUMMARIES.get(String.valueOf((Object) r.getAs("run_date"))), r.getAs("run_id"));
            JsonNode mi = run.get("bits_per_token").get("mi");
            assertEquals(mi.get("value").asDouble(), (double) r.getAs("mi_bits_per_token"), 0.0);
            assertEquals(mi.get("se").asDouble(), (double) r.getAs("mi_se_bits_per_token"), 0.0);
            assertEquals(run.get("mi_ci95_low_bits_per_token").asDouble(),
                    (double) r.getAs("mi_ci95_low_bits_per_token"), 0.0);
            assertEquals(run.get("mi_ci95_high_bits_per_token").asDouble(),
                    (double) r.getAs("mi_ci95_high_bits_per_token"), 0.0);
            assertEquals(run.get("n_samples").asLong(), (long) r.getAs("n_samples"));
            assertEquals(run.get("status").asText(), r.getAs("status"));
            assertEquals("gaussian", r.getAs("estimator"));
        }
        assertEquals(Map.of("scheme_1/gaussian", 3, "scheme_2/gaussian", 3), perRun);
        double before = run(firstMiddle, "scheme_1").get("bits_per_token").get("mi").get("value").asDouble();
        double after = run(SUMMARIES.get(DATES.get(1)), "scheme_1").get("bits_per_token").get("mi").get("value")
                .asDouble();
        assertNotEquals(before, after, "the rerun measured other data, so the replaced value is visible");
        // The same rows as run_mi's for the job: history is the run-level series, not a copy that can drift.
        assertEquals(0, spark.sql("SELECT run_date, run_id, mi_bits_per_token FROM im.infometer.run_mi WHERE "
                + "job_name = '" + JOB + "' EXCEPT SELECT run_date, run_id, mi_bits_per_token FROM "
                + "im.infometer.history").count());
    }

    @Test
    void theModePrintsTheSeriesWithDriftAndWritesItsSummary() throws Exception {
        Path summary = dir.resolve("history-summary.json");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int rc = captured(b, () -> MainAccess.run("history", "--job", JOB, "--from", DATES.get(1), "--warehouse",
                dir.resolve("warehouse").toString(), "--previous-dates", "1", "--summary", summary.toString()));
        String out = b.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertTrue(out.contains("History of job hist in im.infometer.history: 4 row(s), 2 date(s) from 2026-11-23 "
                + "to 2026-11-24"), out);
        assertTrue(out.contains("z: the date's MI against the mean of its previous 1 dates (|z| > 3.0 alerts)"), out);
        JsonNode s = JSON.readTree(summary.toFile());
        assertEquals("history", s.get("mode").asText());
        assertEquals("succeeded", s.get("status").asText());
        JsonNode rows = s.get("history").get("rows");
        assertEquals(4, rows.size());
        for (JsonNode r : rows) {
            String date = r.get("run_date").asText();
            String runId = r.get("run_id").asText();
            String prev = DATES.get(DATES.indexOf(date) - 1);
            JsonNode now = run(SUMMARIES.get(date), runId).get("bits_per_token").get("mi");
            JsonNode then = run(SUMMARIES.get(prev), runId).get("bits_per_token").get("mi");
            // --from 2026-11-23 still compares the 23rd with the 22nd: the baseline is the date before.
            double z = (now.get("value").asDouble() - then.get("value").asDouble())
                    / Math.hypot(now.get("se").asDouble(), then.get("se").asDouble());
            assertEquals(z, r.get("z").asDouble(), 1e-9, r.toString());
            String line = String.format(Locale.ROOT, "%-10s  %-12s  %-16s  %9.4f  %8.4f", date, runId, "gaussian",
                    now.get("value").asDouble(), now.get("se").asDouble());
            assertTrue(out.contains(line), "console line " + line + " in\n" + out);
            assertTrue(out.contains(String.format(Locale.ROOT, "%.2f", z)), out);
            assertEquals(Math.abs(z) > 3 ? "alert" : "ok", r.get("drift_status").asText());
        }
    }

    @Test
    void badArgumentsNameTheOptionAndWhatWasExpected() {
        String wh = dir.resolve("warehouse").toString();
        assertError("history --from: expected a date YYYY-MM-DD, got '2026-13-01'",
                "history", "--job", JOB, "--from", "2026-13-01", "--warehouse", wh);
        assertError("history --from 2026-11-24 is after --to 2026-11-22",
                "history", "--job", JOB, "--from", "2026-11-24", "--to", "2026-11-22", "--warehouse", wh);
        assertError("history --job nope: no rows for this job in im.infometer.history or im.infometer.pid_history "
                + "(jobs there: hist)", "history", "--job", "nope", "--warehouse", wh);
        assertError("history --job hist: no rows in im.infometer.history with --estimator flow (estimators of this "
                + "job: gaussian)", "history", "--job", JOB, "--estimator", "flow", "--warehouse", wh);
        assertError("history needs --job NAME; unexpected: --frm 2026-11-22",
                "history", "--job", JOB, "--frm", "2026-11-22", "--warehouse", wh);
        assertError("history --z-threshold: expected a positive number, got 'x'",
                "history", "--job", JOB, "--z-threshold", "x", "--warehouse", wh);
    }

    @Test
    void helpListsTheOptionsAndExitCodes() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        assertEquals(0, captured(b, () -> MainAccess.run("history", "--help")));
        String out = b.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("usage: submit.sh history --job NAME [--from YYYY-MM-DD]"), out);
        assertTrue(out.contains("exit codes:") && out.contains("2  usage or configuration error"), out);
    }

    private static void assertError(String expected, String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        System.setErr(new PrintStream(b, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = quietly(() -> MainAccess.run(args));
        } finally {
            System.setErr(old);
        }
        String err = b.toString(StandardCharsets.UTF_8);
        assertEquals(2, rc, err);
        assertTrue(err.startsWith("Error: " + expected + "\n"), "expected 'Error: " + expected + "', got:\n" + err);
    }

    private static JsonNode run(JsonNode summary, String runId) {
        for (JsonNode r : summary.get("runs")) {
            if (r.get("run_id").asText().equals(runId)) {
                return r;
            }
        }
        throw new AssertionError("no run " + runId + " in " + summary);
    }

    private static int quietly(java.util.function.IntSupplier r) {
        return captured(new ByteArrayOutputStream(), r);
    }

    private static int captured(ByteArrayOutputStream b, java.util.function.IntSupplier r) {
        PrintStream old = System.out;
        System.setOut(new PrintStream(b, true, StandardCharsets.UTF_8));
        try {
            return r.getAsInt();
        } finally {
            System.setOut(old);
        }
    }
}
