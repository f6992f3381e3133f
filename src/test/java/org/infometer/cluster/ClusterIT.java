package org.infometer.cluster;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.job.MainAccess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job on a real Spark standalone cluster (a master and 2 workers of 1 core, separate JVMs on 127.0.0.1),
 * submitted through {@code submit.sh --master spark://...}, i.e. spark-submit with the shaded jar, exactly as the
 * README says; every table must equal the one the embedded run of the same job file writes. Faults are injected
 * with SIGKILL: an executor during the fit pass, a worker, the driver while tables are written; and two jobs
 * write one warehouse at once.
 *
 * <p>Runs in {@code mvn verify} after {@code package} (it needs the shaded jar and target/local-classpath.txt):
 * surefire's second execution, bound to the integration-test phase (see pom.xml).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    static final String D1 = "2026-01-01";
    static final String D2 = "2026-01-02";
    static final List<String> MI_TABLES = List.of("quarantine", "sample_mi", "scene_mi", "run_mi");
    static Path repo;
    static Path base;
    static Path submitDir;
    static StandaloneCluster cluster;
    static SparkSession spark;

    @BeforeAll
    static void setUp() throws Exception {
        repo = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        base = repo.resolve("target/cluster-it");
        deleteTree(base);
        submitDir = base.resolve("submit");
        Files.createDirectories(submitDir);
        // Cluster first: its JVMs start while this one generates data and computes the embedded references.
        cluster = StandaloneCluster.start(repo, base, 2, "1536m");
        System.setProperty("spark.infometer.submitDir", submitDir.toString());
        assertEquals(0, MainAccess.run("generate", "--out", "data", "--runs", "2", "--scenes", "4",
                "--samples-per-scene", "8", "--tokens", "8", "--channels-x", "6", "--channels-y", "6",
                "--latent", "3", "--partitions", "4"));
        // The flow's learned part trains only from 1,000 training tokens per model on
        // (and 8 held-out samples per half): more samples and tokens for it.
        assertEquals(0, MainAccess.run("generate", "--out", "data-flow", "--runs", "1", "--scenes", "5",
                "--samples-per-scene", "32", "--tokens", "16", "--channels-x", "4", "--channels-y", "4",
                "--latent", "2", "--partitions", "2"));
        writeJobs();
        for (String[] job : List.of(new String[]{"run", "gaussian.json"}, new String[]{"run", "flow.json"},
                new String[]{"pid", "pid.json"}, new String[]{"correlate", "correlate.json"})) {
            assertEquals(0, MainAccess.run(job[0], job[1], "--run-date", D1, "--set", "output.warehouse=ref-warehouse",
                    "--set", job[0].equals("correlate") ? "name=ctest-corr" : "output.summaryDir=ref-out"),
                    "embedded " + job[1]);
        }
        spark = SparkSession.active();
        for (String[] c : List.of(new String[]{"ref", "ref-warehouse"}, new String[]{"clu", "warehouse"},
                new String[]{"conc", "warehouse-conc"})) {
            String p = "spark.sql.catalog." + c[0];
            spark.conf().set(p, "org.apache.iceberg.spark.SparkCatalog");
            spark.conf().set(p + ".type", "hadoop");
            spark.conf().set(p + ".cache-enabled", "false");
            spark.conf().set(p + ".warehouse", submitDir.resolve(c[1]).toUri().toString());
        }
    }

    @AfterAll
    static void tearDown() {
        if (cluster != null) {
            cluster.close();
            assertEquals(List.of(), cluster.leftovers(), "processes left running");
        }
    }

    static void writeJobs() throws IOException {
        String out = "\"output\": {\"catalog\": \"im\", \"warehouse\": \"warehouse\", \"namespace\": \"infometer\", "
                + "\"summaryDir\": \"out\"}";
        Files.writeString(submitDir.resolve("gaussian.json"), "{\"name\": \"ctest\", \"input\": {\"features\": "
                + "\"data/features\"}, \"estimator\": {\"name\": \"gaussian\", \"folds\": 3, \"seed\": 7}, "
                + "\"groundTruth\": \"data/ground_truth\", " + out + "}");
        Files.writeString(submitDir.resolve("flow.json"), "{\"name\": \"ctest-flow\", \"input\": {\"features\": "
                + "\"data-flow/features\"}, \"estimator\": {\"name\": \"flow\", \"granularity\": \"token\", \"folds\": 3, "
                + "\"seed\": 7, \"options\": {\"epochs\": 3, \"patience\": 2, \"batchSize\": 128, \"flowSteps\": 2, "
                + "\"hiddenUnits\": 16, \"mixtureComponents\": 4, \"intraOpThreads\": 1, \"maxTokensPerModel\": 4000}}, "
                + out + "}");
        Files.writeString(submitDir.resolve("pid.json"), "{\"name\": \"ctest-pid\", \"input\": {\"features\": "
                + "\"data/features\"}, \"pid\": {\"target\": \"target\", \"k\": [4], \"pcaDims\": 3, \"fitTokens\": 200, "
                + "\"bootstrap\": 5, \"ciLevel\": 0.95, \"minSceneSamples\": 4}, " + out + "}");
        Files.writeString(submitDir.resolve("correlate.json"), "{\"name\": \"ctest-corr\", \"mi\": {\"jobName\": "
                + "\"ctest\", \"runDate\": \"same\"}, \"runAccuracy\": {\"metricsDir\": \"data/metrics\"}, "
                + "\"sceneAccuracy\": {\"detections\": \"data/detections\", \"gtBoxes\": \"data/gt_boxes\"}, "
                + "\"pid\": {\"table\": \"pid\", \"jobName\": \"ctest-pid\"}, "
                + "\"stats\": {\"permutations\": 99, \"bootstrapResamples\": 20, \"ciLevel\": 0.95, \"alpha\": 0.05, "
                + "\"seed\": 3}, \"output\": {\"catalog\": \"im\", \"warehouse\": \"warehouse\", "
                + "\"namespace\": \"infometer\"}}");
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void gaussianRunOnTheClusterSurvivesAnExecutorKilledDuringTheFitPass() throws Exception {
        List<Long> killed = new ArrayList<>();
        Submission s = submit("gaussian", p -> {
            waitFor("gaussian", "Fitting gaussian models");
            List<ProcessHandle> ex = cluster.executors(1);
            assertFalse(ex.isEmpty(), "worker 1 runs no executor during the fit pass");
            killed.add(ex.get(0).pid());
            StandaloneCluster.kill9(ex.get(0));
        }, "run", "gaussian.json", "--run-date", D1);
        assertEquals(0, s.exit, s.log());
        assertEquals(1, killed.size());
        // The driver is reachable on loopback only (told so in start(); Spark's default is the host's address).
        String full = Files.readString(base.resolve("gaussian.log"));
        assertTrue(full.contains("at spark://127.0.0.1:"), "driver address in the log");
        assertTrue(s.log().contains("(warehouse file:" + submitDir.resolve("warehouse") + ")"), "console names the "
                + "warehouse used:\n" + s.log());
        for (String t : MI_TABLES) {
            assertSameRows(t, "ctest", D1, "clu", "ctest", D1);
        }
    }

    @Test
    @Order(2)
    void pidOnTheCluster() throws Exception {
        Submission s = submit("pid", null, "pid", "pid.json", "--run-date", D1);
        assertEquals(0, s.exit, s.log());
        assertSameRows("pid", "ctest-pid", D1, "clu", "ctest-pid", D1);
    }

    @Test
    @Order(3)
    void correlateOnTheCluster() throws Exception {
        Submission s = submit("correlate", null, "correlate", "correlate.json", "--run-date", D1);
        assertEquals(0, s.exit, s.log());
        for (String t : List.of("correlation", "run_accuracy", "scene_accuracy")) {
            assertSameRows(t, "ctest-corr", D1, "clu", "ctest-corr", D1);
        }
    }

    @Test
    @Order(4)
    void flowRunCompletesOnTheOtherWorkerWhenAWorkerIsKilled() throws Exception {
        List<ProcessHandle> orphans = new ArrayList<>();
        Submission s = submit("flow", p -> {
            waitFor("flow", "Fitting flow");
            orphans.addAll(cluster.executors(2));
            ProcessHandle w = cluster.worker(2).toHandle();
            w.destroyForcibly();
            w.onExit().join();
        }, "run", "flow.json", "--run-date", D1);
        // The killed worker's executor notices its worker is gone and exits; make sure of it.
        orphans.forEach(ProcessHandle::destroyForcibly);
        cluster.startWorker(2, "1536m", false);
        assertEquals(0, s.exit, s.log());
        for (String t : MI_TABLES) {
            assertSameRows(t, "ctest-flow", D1, "clu", "ctest-flow", D1);
        }
    }

    @Test
    @Order(5)
    void driverKilledWhileWritingTablesLeavesEarlierTablesIntactAndARerunIsIdentical() throws Exception {
        cluster.awaitWorker(2);
        Submission killed = submit("driver-kill", p -> {
            // The moment the staged rows are journaled and the tables start to switch: the kill lands during the
            // switches or just after them (PublishTest stops a publish between two switches deterministically).
            waitFor("driver-kill", "Publishing quarantine");
            StandaloneCluster.kill9(p.toHandle());
        }, "run", "gaussian.json", "--run-date", D2);
        assertTrue(killed.exit != 0, "the driver was killed");
        for (String t : MI_TABLES) {
            // Every table is readable and the earlier date's rows are untouched.
            assertSameRows(t, "ctest", D1, "clu", "ctest", D1);
        }
        List<Path> journals;
        try (Stream<Path> files = Files.list(submitDir.resolve("warehouse"))) {
            journals = files.filter(f -> f.getFileName().toString().startsWith(".infometer-publish-")).toList();
        }
        if (journals.isEmpty()) {
            // No publish was in progress: the four tables hold all of the new date's rows or none.
            List<Long> counts = new ArrayList<>();
            for (String t : MI_TABLES) {
                counts.add(spark.sql("SELECT count(*) FROM clu.infometer." + t + " WHERE job_name = 'ctest' AND "
                        + "run_date = DATE'" + D2 + "'").first().getLong(0));
            }
            boolean none = counts.stream().allMatch(c -> c == 0);
            boolean all = true;
            for (int i = 0; i < MI_TABLES.size(); i++) {
                all &= counts.get(i) == countRef(MI_TABLES.get(i), "ctest", D1);
            }
            assertTrue(none || all, "tables changed partly: " + MI_TABLES + " " + counts);
        }
        Submission rerun = submit("driver-kill-rerun", null, "run", "gaussian.json", "--run-date", D2);
        assertEquals(0, rerun.exit, rerun.log());
        if (!journals.isEmpty()) {
            assertTrue(Files.readString(base.resolve("driver-kill-rerun.log")).contains(
                    "completed an interrupted publish of job ctest (" + D2 + ")"), rerun.log());
        }
        for (String t : MI_TABLES) {
            assertSameRows(t, "ctest", D1, "clu", "ctest", D2);
            assertSameRows(t, "ctest", D1, "clu", "ctest", D1);
        }
        try (Stream<Path> files = Files.list(submitDir.resolve("warehouse"))) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith(".infometer-"))
                    .toList(), "journal or lock left behind");
        }
    }

    @Test
    @Order(6)
    void twoJobsWritingOneNewWarehouseAtOnceBothCommit() throws Exception {
        // One executor each, so both run at the same time on the 2 workers.
        Submission a = start("conc-a", "--conf", "spark.cores.max=1", "run", "gaussian.json", "--run-date", D1,
                "--set", "name=conc-a", "--set", "output.warehouse=warehouse-conc");
        Submission b = start("conc-b", "--conf", "spark.cores.max=1", "run", "gaussian.json", "--run-date", D1,
                "--set", "name=conc-b", "--set", "output.warehouse=warehouse-conc");
        a.await();
        b.await();
        assertEquals(0, a.exit, a.log());
        assertEquals(0, b.exit, b.log());
        for (String t : MI_TABLES) {
            assertSameRows(t, "ctest", D1, "conc", "conc-a", D1);
            assertSameRows(t, "ctest", D1, "conc", "conc-b", D1);
        }
    }

    @Test
    @Order(7)
    void executorsThatCannotBeScheduledFailWithinTheTimeout() throws Exception {
        long t0 = System.nanoTime();
        Submission s = submit("unschedulable", null, "--conf", "spark.executor.cores=4", "--conf",
                "spark.infometer.executorTimeout=8", "run", "gaussian.json", "--run-date", D1);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(2, s.exit, s.log());
        assertTrue(s.log().contains("No executor registered within 8 s"), s.log());
        assertTrue(s.log().contains("spark.executor.cores=4"), s.log());
        assertTrue(seconds < 90, "took " + seconds + " s");
    }

    // ---------------------------------------------------------------------------------------------------------

    static long countRef(String table, String job, String date) {
        return spark.sql("SELECT count(*) FROM ref.infometer." + table + " WHERE job_name = '" + job
                + "' AND run_date = DATE'" + date + "'").first().getLong(0);
    }

    /** The rows of (job, date) in the embedded warehouse equal those of (otherJob, otherDate) in {@code catalog}. */
    static void assertSameRows(String table, String job, String date, String catalog, String otherJob,
                               String otherDate) {
        List<String> ref = rows("ref", table, job, date);
        List<String> got = rows(catalog, table, otherJob, otherDate);
        assertEquals(ref.size(), got.size(), table + " row count (" + catalog + ", " + otherJob + ", " + otherDate
                + ")");
        assertEquals(ref, got, table + " rows (" + catalog + ", " + otherJob + ", " + otherDate + ")");
        if (!table.equals("quarantine")) {
            assertFalse(ref.isEmpty(), table + " has no rows for " + job + " " + date);
        }
    }

    static List<String> rows(String catalog, String table, String job, String date) {
        String full = catalog + ".infometer." + table;
        List<String> cols = Arrays.stream(spark.table(full).columns())
                .filter(c -> !c.equals("run_date") && !c.equals("job_name")).toList();
        List<Row> rows = spark.sql("SELECT " + cols.stream().map(c -> "`" + c + "`").collect(Collectors.joining(", "))
                + " FROM " + full + " WHERE job_name = '" + job + "' AND run_date = DATE'" + date + "'")
                .collectAsList();
        // Exact values: doubles print with all their digits, so equal strings mean equal tables.
        return rows.stream().map(Row::toString).sorted().toList();
    }

    // ---------------------------------------------------------------------------------------------------------

    /** A spark-submit run through submit.sh: its process, log and exit code. */
    static final class Submission {
        final String name;
        final Process process;
        int exit = -1;

        Submission(String name, Process process) {
            this.name = name;
            this.process = process;
        }

        void await() throws InterruptedException {
            if (!process.waitFor(240, TimeUnit.SECONDS)) {
                StandaloneCluster.kill9(process.toHandle());
                throw new AssertionError(name + " did not finish in 240 s:\n" + log());
            }
            exit = process.exitValue();
        }

        String log() {
            return StandaloneCluster.tail(base.resolve(name + ".log"), 80);
        }
    }

    static Submission start(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("submit.sh").toString(), "--master",
                cluster.masterUrl(),
                // Loopback only: on a multi-homed machine the driver would otherwise bind to another interface.
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.ui.enabled=false", "--conf", "spark.executor.memory=1g",
                "--conf", "spark.driver.memory=1g", "--conf", "spark.infometer.executorTimeout=90",
                // A killed driver's lock is taken over after 8 s here (20 s by default).
                "--conf", "spark.infometer.lockStaleSeconds=8",
                // Short-lived JVMs on 2 shared cores: the C1 compiler alone starts them for far less CPU.
                "--conf", "spark.driver.extraJavaOptions=" + StandaloneCluster.QUICK_JVM,
                "--conf", "spark.executor.extraJavaOptions=" + StandaloneCluster.QUICK_JVM));
        cmd.addAll(Arrays.asList(args));
        return new Submission(name, cluster.start(cmd, base.resolve(name + ".log"), submitDir));
    }

    static Submission submit(String name, Consumer<Process> during, String... args) throws Exception {
        Submission s = start(name, args);
        try {
            if (during != null) {
                during.accept(s.process);
            }
        } catch (RuntimeException | AssertionError e) {
            StandaloneCluster.kill9(s.process.toHandle());
            throw e;
        }
        s.await();
        return s;
    }

    static void waitFor(String name, String line) {
        StandaloneCluster.waitForLog(base.resolve(name + ".log"), l -> l.contains(line), Duration.ofSeconds(180),
                null);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> all = Files.walk(p)) {
            for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
