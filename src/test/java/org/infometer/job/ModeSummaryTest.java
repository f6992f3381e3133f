package org.infometer.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every mode leaves a summary.json with the tool version, its step times and its outcome, read back here. */
class ModeSummaryTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String DATE = "2026-11-24";

    @TempDir
    static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void generate() {
        spark = SparkTestSession.get();
        assertEquals(0, MainAccess.run("generate", "--out", data().toString(), "--runs", "4", "--scenes", "6",
                "--samples-per-scene", "8", "--tokens", "40", "--channels-x", "12", "--channels-y", "10",
                "--latent", "3", "--seed", "5", "--partitions", "2", "--summary", summary("generate").toString()));
    }

    static Path data() {
        return dir.resolve("data");
    }

    static Path summary(String name) {
        return dir.resolve("summaries").resolve(name + ".json");
    }

    static JsonNode read(Path p) throws Exception {
        assertTrue(Files.exists(p), "no summary at " + p);
        return JSON.readTree(p.toFile());
    }

    /** The fields every summary carries, whatever the mode. */
    static void assertHeader(JsonNode s, String status) {
        assertEquals(status, s.path("status").asText(), s.toString());
        assertEquals("0.1.0", s.path("tool_version").asText(), "the pom's version");
        assertTrue(s.path("step_seconds").isObject(), s.toString());
        s.path("step_seconds").fields().forEachRemaining(e -> assertTrue(e.getValue().asDouble() >= 0, e.getKey()));
        assertTrue(s.path("elapsed_seconds").asDouble() >= 0);
        assertFalse(s.path("blas").asText().isEmpty());
    }

    static Path jobFile(String name, String features) throws Exception {
        Path job = dir.resolve(name + ".json");
        Files.writeString(job, "{\"name\": \"" + name + "\", \"input\": {\"features\": \"" + features
                + "\"}, \"output\": {\"warehouse\": \"" + dir.resolve("warehouse") + "\", \"summaryDir\": \""
                + dir.resolve("out") + "\"}, \"pid\": {\"k\": [6], \"pcaDims\": 4, \"bootstrap\": 5, "
                + "\"fitTokens\": 2000, \"minSceneSamples\": 8}}");
        return job;
    }

    @Test
    void generateLeavesItsSummaryWithItsSteps() throws Exception {
        JsonNode s = read(summary("generate"));
        assertHeader(s, "succeeded");
        assertEquals("generate", s.path("mode").asText());
        assertEquals(0, s.path("exit_code").asInt());
        assertTrue(s.path("step_seconds").size() > 0, "generate reports its steps: " + s);
        assertTrue(s.path("args").toString().contains("--runs"), s.toString());
    }

    @Test
    void theMiJobSummaryGainsVersionAndStepsAndKeepsItsFields() throws Exception {
        assertEquals(0, MainAccess.run("run", jobFile("sum-mi", data().resolve("features").toString()).toString(),
                "--run-date", DATE));
        JsonNode s = read(dir.resolve("out/sum-mi/" + DATE + "/summary.json"));
        assertTrue(s.path("status").asText().startsWith("succeeded"), s.toString());
        assertHeader(s, s.path("status").asText());
        assertEquals("sum-mi", s.path("job").asText());
        assertTrue(s.path("scored_samples").asLong() > 0 && s.path("runs").size() == 4, "existing fields stay");
        assertTrue(s.path("step_seconds").size() >= 3, s.path("step_seconds").toString());
        assertTrue(s.path("step_seconds").fieldNames().next().startsWith("Checking"), s.path("step_seconds")
                .toString());
    }

    @Test
    void thePidJobSummaryGainsVersionAndSteps() throws Exception {
        assertEquals(0, MainAccess.run("pid", jobFile("sum-pid", data().resolve("features").toString()).toString(),
                "--run-date", DATE));
        JsonNode s = read(dir.resolve("out/sum-pid/" + DATE + "/summary.json"));
        assertHeader(s, s.path("status").asText());
        assertTrue(s.path("status").asText().startsWith("succeeded"), s.toString());
        assertTrue(s.path("step_seconds").toString().contains("Counting"), s.path("step_seconds").toString());
    }

    @Test
    void aFailingRunRecordsExitCodeAndMessage() throws Exception {
        // Loaded config, input missing: the MI job's own failure summary, now with its exit code.
        Path missing = dir.resolve("no-such-features");
        assertEquals(3, MainAccess.run("run", jobFile("sum-fail", missing.toString()).toString(), "--run-date",
                DATE));
        JsonNode s = read(dir.resolve("out/sum-fail/" + DATE + "/summary.json"));
        assertHeader(s, "failed");
        assertEquals(3, s.path("exit_code").asInt());
        assertTrue(s.path("error").asText().contains("no-such-features"), s.toString());

        // The PID job does not write its own failure summary; the command line writes it in the same place.
        assertEquals(3, MainAccess.run("pid", jobFile("sum-pid-fail", missing.toString()).toString(), "--run-date",
                DATE));
        JsonNode p = read(dir.resolve("out/sum-pid-fail/" + DATE + "/summary.json"));
        assertHeader(p, "failed");
        assertEquals("sum-pid-fail", p.path("job").asText());
        assertEquals(3, p.path("exit_code").asInt());
        assertTrue(p.path("error").asText().contains("no-such-features"), p.toString());

        // A job file that cannot be read: no config, so the generic summary at --summary.
        assertEquals(2, MainAccess.run("run", dir.resolve("absent.json").toString(), "--summary",
                summary("run-absent").toString()));
        JsonNode g = read(summary("run-absent"));
        assertHeader(g, "failed");
        assertEquals("run", g.path("mode").asText());
        assertEquals(2, g.path("exit_code").asInt());
        assertTrue(g.path("error").asText().contains("absent.json"), g.toString());
        assertFalse(g.path("error_type").asText().isEmpty());
    }

    @Test
    void pidColumnsLeavesASummary() throws Exception {
        Path table = dir.resolve("columns");
        Random r = new Random(3);
        List<org.apache.spark.sql.Row> rows = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            int a = r.nextInt(2);
            int b = r.nextInt(2);
            rows.add(RowFactory.create(a, b, a ^ b));
        }
        spark.createDataFrame(rows, StructType.fromDDL("cam INT, lid INT, label INT")).write().parquet(
                table.toString());
        assertEquals(0, MainAccess.run("pid-columns", "--input", table.toString(), "--x", "cam", "--y", "lid",
                "--target", "label", "--warehouse", dir.resolve("warehouse").toString(), "--summary",
                summary("pid-columns").toString()));
        JsonNode s = read(summary("pid-columns"));
        assertHeader(s, "succeeded");
        assertEquals("pid-columns", s.path("mode").asText());
        assertEquals(0, s.path("exit_code").asInt());
    }

    @Test
    void correlateLeavesASummaryAndItsFailureOne() throws Exception {
        assertEquals(0, MainAccess.run("run", jobFile("mi", data().resolve("features").toString()).toString(),
                "--run-date", DATE));
        Path job = dir.resolve("corr.json");
        Files.writeString(job, "{\"name\": \"corr\", \"mi\": {\"jobName\": \"mi\"}, \"runAccuracy\": "
                + "{\"metricsDir\": \"" + data().resolve("metrics") + "\"}, \"y\": {\"run\": [\"map\"], \"scene\": []},"
                + " \"output\": {\"warehouse\": \"" + dir.resolve("warehouse") + "\"}}");
        assertEquals(0, MainAccess.run("correlate", job.toString(), "--run-date", DATE, "--summary",
                summary("correlate").toString()));
        JsonNode s = read(summary("correlate"));
        assertHeader(s, "succeeded");
        assertEquals("correlate", s.path("mode").asText());
        assertTrue(s.path("step_seconds").size() > 0, s.toString());
        // The submission meta in the MI job's form: job, run date, tool version, resolved config and its hash.
        JsonNode mi = read(dir.resolve("out/mi/" + DATE + "/summary.json"));
        for (JsonNode m : List.of(s, mi)) {
            for (String field : List.of("job", "run_date", "tool_version", "config", "config_sha256")) {
                assertTrue(m.has(field), field + " missing in " + m);
            }
            assertEquals(org.infometer.report.SubmissionMeta.sha256(m.get("config")), m.get("config_sha256").asText());
            assertTrue(m.get("config_sha256").asText().matches("[0-9a-f]{64}"));
        }
        assertEquals("corr", s.get("job").asText());
        assertEquals(DATE, s.get("run_date").asText());
        assertEquals("0.1.0", s.get("tool_version").asText());
        assertEquals("mi", s.get("config").get("mi").get("jobName").asText());
        assertEquals(dir.resolve("warehouse").toString(), s.get("config").get("output").get("warehouse").asText()
                .replaceFirst("^file:", ""), "the resolved config, as the job used it");
        // Another resolved config, another hash; the same config, the same hash.
        assertEquals(0, MainAccess.run("correlate", job.toString(), "--run-date", DATE, "--set",
                "stats.permutations=499", "--summary", summary("correlate-499").toString()));
        JsonNode other = read(summary("correlate-499"));
        assertEquals(499, other.get("config").get("stats").get("permutations").asInt());
        assertTrue(!other.get("config_sha256").equals(s.get("config_sha256")), "the hash follows the config");
        assertEquals(0, MainAccess.run("correlate", job.toString(), "--run-date", DATE, "--summary",
                summary("correlate-again").toString()));
        assertEquals(s.get("config_sha256"), read(summary("correlate-again")).get("config_sha256"));

        assertEquals(2, MainAccess.run("correlate", job.toString(), "--set", "stats.ciLevel=95", "--summary",
                summary("correlate-bad").toString()));
        JsonNode f = read(summary("correlate-bad"));
        assertHeader(f, "failed");
        assertEquals(2, f.path("exit_code").asInt());
        assertTrue(f.path("error").asText().contains("stats.ciLevel"), f.toString());
    }
}
