package org.infometer.job;

import org.apache.spark.sql.SparkSession;
import org.infometer.testing.SparkTestSession;
import org.infometer.synth.GenerateConfig;
import org.infometer.synth.GenerateJob;
import org.infometer.progress.Progress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line on a cluster: relative paths mean the submitting directory, {@code --set output.warehouse} wins
 * over a warehouse the Spark configuration (a profile, --conf) defines, and the console names the warehouse used.
 */
class ClusterPlumbingTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void data() {
        GenerateJob.run(SparkTestSession.get(), new GenerateConfig(dir.resolve("data").toString(), 1, 3, 4, 6, 3, 3, 2,
                5, 1, "camera", "lidar"), Progress.stderr());
    }

    @AfterEach
    void clear() {
        System.clearProperty("spark.infometer.submitDir");
        SparkTestSession.get().conf().unset("spark.sql.catalog.improfile.warehouse");
    }

    static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            int rc = Main.run(args);
            assertEquals(0, rc, buf.toString());
        } finally {
            System.setOut(old);
        }
        return buf.toString();
    }

    /** Exit code, stdout and stderr of one command line. */
    record Outcome(int rc, String out, String err) {
    }

    static Outcome attempt(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            return new Outcome(Main.run(args), out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void catalogAndWarehouseProblemsStopTheJobBeforeAnyWork() throws Exception {
        SparkSession spark = SparkTestSession.get();
        Files.writeString(dir.resolve("job2.json"), "{\"name\": \"plumb2\", \"input\": {\"features\": "
                + "\"data/features\"}, \"estimator\": {\"folds\": 3}, \"output\": {\"catalog\": \"implumb2\", "
                + "\"warehouse\": \"wh2\", \"namespace\": \"infometer\", \"summaryDir\": \"out\"}}");
        System.setProperty("spark.infometer.submitDir", dir.toString());
        Files.writeString(dir.resolve("a-file"), "not a directory");
        Outcome o = attempt("run", "job2.json", "--set", "output.warehouse=a-file/wh");
        assertEquals(2, o.rc(), o.err());
        assertTrue(o.err().contains("The warehouse file:" + dir.resolve("a-file/wh")) && o.err().contains(
                "is not writable"), o.err());
        assertTrue(!o.err().contains("Checking input"), "stopped before any work:\n" + o.err());

        // An existing table with another schema is named before the computation, not after it.
        spark.conf().set("spark.sql.catalog.implumb2", "org.apache.iceberg.spark.SparkCatalog");
        spark.conf().set("spark.sql.catalog.implumb2.type", "hadoop");
        spark.conf().set("spark.sql.catalog.implumb2.warehouse", "file:" + dir.resolve("wh2"));
        spark.sessionState().catalogManager().reset();
        spark.sql("CREATE TABLE implumb2.infometer.run_mi (run_date DATE, job_name STRING, x INT) USING iceberg");
        spark.conf().unset("spark.sql.catalog.implumb2.warehouse");
        spark.conf().unset("spark.sql.catalog.implumb2");
        spark.sessionState().catalogManager().reset();
        o = attempt("run", "job2.json");
        assertEquals(1, o.rc(), o.err());
        assertTrue(o.err().contains("Table implumb2.infometer.run_mi exists with a different schema"), o.err());
        assertTrue(!o.err().contains("Checking input"), "stopped before any work:\n" + o.err());
    }

    static long rows(SparkSession spark, Path warehouse) {
        spark.conf().set("spark.sql.catalog.plumbcheck", "org.apache.iceberg.spark.SparkCatalog");
        spark.conf().set("spark.sql.catalog.plumbcheck.type", "hadoop");
        spark.conf().set("spark.sql.catalog.plumbcheck.warehouse", "file:" + warehouse);
        spark.sessionState().catalogManager().reset();
        return spark.sql("SELECT count(*) FROM plumbcheck.infometer.run_mi").first().getLong(0);
    }

    @Test
    void relativePathsMeanTheSubmittingDirectoryAndTheSetWarehouseWinsOverTheProfile() throws Exception {
        SparkSession spark = SparkTestSession.get();
        Files.writeString(dir.resolve("job.json"), "{\"name\": \"plumb\", \"input\": {\"features\": \"data/features\"},"
                + " \"estimator\": {\"folds\": 3}, \"output\": {\"catalog\": \"improfile\", \"warehouse\": \"wh-job\","
                + " \"namespace\": \"infometer\", \"summaryDir\": \"out\"}}");
        // What conf/cluster.properties or --conf would define for the catalog.
        spark.conf().set("spark.sql.catalog.improfile", "org.apache.iceberg.spark.SparkCatalog");
        spark.conf().set("spark.sql.catalog.improfile.type", "hadoop");
        spark.conf().set("spark.sql.catalog.improfile.warehouse", "file:" + dir.resolve("wh-profile"));
        System.setProperty("spark.infometer.submitDir", dir.toString());

        String out = run("run", "job.json", "--run-date", "2026-02-01", "--set", "output.warehouse=wh-set");
        assertTrue(out.contains("(warehouse file:" + dir.resolve("wh-set") + ")"), out);
        assertEquals(1, rows(spark, dir.resolve("wh-set")));
        assertTrue(!Files.exists(dir.resolve("wh-profile")) && !Files.exists(dir.resolve("wh-job")));
        assertTrue(Files.exists(dir.resolve("out/plumb/2026-02-01/summary.json")), "summary under the submit dir");

        spark.conf().set("spark.sql.catalog.improfile.warehouse", "file:" + dir.resolve("wh-profile"));
        // As in a new session under spark-submit: no catalog instance loaded with the earlier warehouse.
        spark.sessionState().catalogManager().reset();
        out = run("run", "job.json", "--run-date", "2026-02-01");
        assertTrue(out.contains("(warehouse file:" + dir.resolve("wh-profile") + ")"), out);
        assertEquals(1, rows(spark, dir.resolve("wh-profile")));
    }
}
