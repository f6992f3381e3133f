package org.infometer.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.infometer.config.JobConfig;
import org.infometer.io.IcebergTables;
import org.infometer.progress.Progress;
import org.infometer.report.MeasureResult;
import org.infometer.report.SummaryJson;
import org.infometer.schema.FeatureContract;
import org.infometer.schema.InputException;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input for the measurement job: contract breaks that fail the run with a message naming the file, column and
 * expectation; row-level breaks that go to the quarantine table with their reason while the other rows are scored;
 * a rejected fraction over the limit that fails the run and leaves the tables of an earlier run unchanged.
 *
 * <p>All tests share one Iceberg warehouse (the session's catalog {@code im} is configured once) and use distinct
 * job names, so their partitions never overlap.
 */
class BadInputTest {

    static final String X = "camera";
    static final String Y = "lidar";
    static final String RUN = "scheme_1";
    static final int SCENES = 5;
    static final int PER_SCENE = 6;
    static final int TOKENS = 8;
    static final int CX = 4;
    static final int CY = 4;
    static final LocalDate DATE = LocalDate.of(2024, 6, 1);
    static final FeatureContract CONTRACT = new FeatureContract(X, Y);

    @TempDir
    static Path tmp;

    static SparkSession spark;
    static Path warehouse;

    /** Result of the shared mixed run: valid rows plus one bad row of each kind (computed once). */
    private static Mixed mixed;

    record Mixed(JobConfig cfg, MeasureResult result, Map<String, Row> quarantineBySample) {
    }

    @BeforeAll
    static void setUp() throws IOException {
        spark = SparkTestSession.get();
        warehouse = Files.createDirectories(tmp.resolve("warehouse"));
        IcebergTables.configure(spark, "im", warehouse.toString());
    }

    // ----------------------------------------------------------------------------------------------------------
    // Inputs

    static String sceneToken(int s) {
        return "scene-" + s;
    }

    static String sampleToken(int s, int p) {
        return "sample-" + s + "-" + p;
    }

    /** A row-major map of {@code tokens x channels} standard normal values. */
    static Float[] map(Random rnd, int tokens, int channels) {
        Float[] v = new Float[tokens * channels];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    /** A lidar map correlated with the camera map channel by channel (so the MI is clearly positive). */
    static Float[] coupled(Random rnd, Float[] x) {
        Float[] y = new Float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (float) (0.7 * x[i] + 0.7 * rnd.nextGaussian());
        }
        return y;
    }

    static Row row(String run, String scene, String sample, long ts, Object x, Integer xt, Integer xc, Object y,
                   Integer yt, Integer yc) {
        return RowFactory.create(run, scene, sample, ts, x == null ? null : Arrays.asList((Float[]) x), xt, xc,
                y == null ? null : Arrays.asList((Float[]) y), yt, yc);
    }

    /** One valid sample following data-schemas/features.ddl. */
    static Row valid(Random rnd, String run, String scene, String sample, long ts) {
        Float[] x = map(rnd, TOKENS, CX);
        return row(run, scene, sample, ts, x, TOKENS, CX, coupled(rnd, x), TOKENS, CY);
    }

    /** {@code SCENES x PER_SCENE} valid samples of one run. */
    static List<Row> validRows(long seed) {
        Random rnd = new Random(seed);
        List<Row> rows = new ArrayList<>();
        for (int s = 0; s < SCENES; s++) {
            for (int p = 0; p < PER_SCENE; p++) {
                rows.add(valid(rnd, RUN, sceneToken(s), sampleToken(s, p), 1_000_000L * s + 500L * p));
            }
        }
        return rows;
    }

    /** Writes rows with a schema as one Parquet file {@code dir/name}; returns the file. */
    static Path writeParquet(List<Row> rows, StructType schema, Path dir, String name) throws IOException {
        Path staging = Files.createTempDirectory(tmp, "staging");
        spark.createDataFrame(rows, schema).coalesce(1).write().mode(SaveMode.Overwrite)
                .parquet(staging.resolve("out").toString());
        Path part;
        try (Stream<Path> files = Files.list(staging.resolve("out"))) {
            part = files.filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        Files.createDirectories(dir);
        return Files.move(part, dir.resolve(name));
    }

    static StructType withField(StructType schema, String column, DataType type) {
        StructField[] fields = schema.fields().clone();
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].name().equals(column)) {
                fields[i] = DataTypes.createStructField(column, type, true);
            }
        }
        return new StructType(fields);
    }

    static StructType without(StructType schema, String column) {
        return new StructType(Arrays.stream(schema.fields()).filter(f -> !f.name().equals(column))
                .toArray(StructField[]::new));
    }

    static Row drop(Row r, int index) {
        List<Object> v = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            if (i != index) {
                v.add(r.get(i));
            }
        }
        return RowFactory.create(v.toArray());
    }

    static Row set(Row r, int index, Object value) {
        Object[] v = new Object[r.size()];
        for (int i = 0; i < r.size(); i++) {
            v[i] = r.get(i);
        }
        v[index] = value;
        return RowFactory.create(v);
    }

    // ----------------------------------------------------------------------------------------------------------
    // Running the job

    static JobConfig config(String job, Path features, double maxRejectedFraction) {
        ObjectNode root = JobConfig.JSON.createObjectNode();
        root.put("name", job);
        root.putObject("input").put("features", features.toString());
        root.putObject("validation").put("maxRejectedFraction", maxRejectedFraction);
        ObjectNode out = root.putObject("output");
        out.put("catalog", "im");
        out.put("warehouse", warehouse.toString());
        out.put("namespace", "infometer");
        out.put("summaryDir", tmp.resolve("summaries").toString());
        return JobConfig.fromTree(root, List.of(), DATE, "BadInputTest:" + job);
    }

    static MeasureResult measure(JobConfig cfg) {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return MeasureJob.run(spark, cfg, quiet, new Progress(quiet));
    }

    /** Runs the job expecting it to fail with an InputException; checks the failure summary, returns the error. */
    static InputException measureFails(JobConfig cfg) throws IOException {
        InputException e = assertThrows(InputException.class, () -> measure(cfg));
        JsonNode summary = JobConfig.JSON.readTree(SummaryJson.path(cfg).toFile());
        assertEquals("failed", summary.get("status").asText());
        assertEquals(cfg.name(), summary.get("job").asText());
        assertFalse(summary.get("tables_changed").asBoolean());
        assertEquals(e.getMessage(), summary.get("error").asText());
        return e;
    }

    static List<Row> tableRows(String table, String job) {
        return spark.sql("SELECT * FROM im.infometer." + table + " WHERE job_name = '" + job
                + "' ORDER BY 1, 2, 3, 4, 5, 6").collectAsList();
    }

    static long snapshots(String table) {
        return spark.sql("SELECT * FROM im.infometer." + table + ".snapshots").count();
    }

    static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "expected '" + p + "' in: " + message);
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // Row-level breaks: quarantined with their reason, the other rows scored

    /**
     * One run of 30 valid samples in good.parquet and, in bad.parquet beside it, one row per row-level break:
     * length mismatch, NaN, +Inf, null element, null modality (camera and lidar), token mismatch, channel
     * mismatch, and a second copy of a valid sample's key.
     */
    static synchronized Mixed mixed() throws IOException {
        if (mixed != null) {
            return mixed;
        }
        Path dir = tmp.resolve("mixed");
        writeMixedInput(dir);
        JobConfig cfg = config("mixed", dir, 0.5);
        MeasureResult result = measure(cfg);
        Map<String, Row> bySample = new HashMap<>();
        List<Row> q = spark.sql("SELECT sample_token, reason_code, column_name, reason, source_file, run_id, "
                + "scene_token FROM im.infometer.quarantine WHERE job_name = 'mixed' AND sample_token NOT LIKE "
                + "'sample-%' ORDER BY sample_token").collectAsList();
        for (Row r : q) {
            assertEquals(null, bySample.put(r.getString(0), r), "one quarantine row per bad sample");
        }
        mixed = new Mixed(cfg, result, bySample);
        return mixed;
    }

    /** Writes the mixed input under {@code dir}: good.parquet (30 valid rows) and bad.parquet (the bad rows). */
    static void writeMixedInput(Path dir) throws IOException {
        List<Row> good = validRows(1);
        writeParquet(good, CONTRACT.schema(), dir, "good.parquet");
        Random rnd = new Random(2);
        List<Row> bad = new ArrayList<>();
        long ts = 99_000_000L;
        // camera has 31 values for 8 x 4
        Float[] shortX = Arrays.copyOf(map(rnd, TOKENS, CX), TOKENS * CX - 1);
        bad.add(row(RUN, "scene-bad", "bad-length", ts, shortX, TOKENS, CX, map(rnd, TOKENS, CY), TOKENS, CY));
        Float[] nanX = map(rnd, TOKENS, CX);
        nanX[5] = Float.NaN; // token 1, channel 1
        bad.add(row(RUN, "scene-bad", "bad-nan", ts, nanX, TOKENS, CX, map(rnd, TOKENS, CY), TOKENS, CY));
        Float[] infY = map(rnd, TOKENS, CY);
        infY[14] = Float.POSITIVE_INFINITY; // token 3, channel 2
        bad.add(row(RUN, "scene-bad", "bad-inf", ts, map(rnd, TOKENS, CX), TOKENS, CX, infY, TOKENS, CY));
        Float[] nullElem = map(rnd, TOKENS, CX);
        nullElem[9] = null; // token 2, channel 1
        bad.add(row(RUN, "scene-bad", "bad-null-element", ts, nullElem, TOKENS, CX, map(rnd, TOKENS, CY), TOKENS,
                CY));
        bad.add(row(RUN, "scene-bad", "bad-null-camera", ts, null, TOKENS, CX, map(rnd, TOKENS, CY), TOKENS, CY));
        bad.add(row(RUN, "scene-bad", "bad-null-lidar", ts, map(rnd, TOKENS, CX), TOKENS, CX, null, TOKENS, CY));
        bad.add(row(RUN, "scene-bad", "bad-tokens", ts, map(rnd, TOKENS, CX), TOKENS, CX, map(rnd, TOKENS - 1, CY),
                TOKENS - 1, CY));
        bad.add(row(RUN, "scene-bad", "bad-channels", ts, map(rnd, TOKENS, CX - 2), TOKENS, CX - 2,
                map(rnd, TOKENS, CY), TOKENS, CY));
        Row dupOf = good.get(7);
        bad.add(valid(rnd, RUN, dupOf.getString(1), dupOf.getString(2), 123L));
        // zero tokens (empty maps) and an empty map where 8 x 4 values are declared
        bad.add(row(RUN, "scene-bad", "bad-zero-tokens", ts, new Float[0], 0, CX, new Float[0], 0, CY));
        bad.add(row(RUN, "scene-bad", "bad-empty-array", ts, new Float[0], TOKENS, CX, map(rnd, TOKENS, CY), TOKENS,
                CY));
        bad.add(valid(rnd, RUN, "scene-bad", "", ts));
        Float[] large = map(rnd, TOKENS, CX);
        large[6] = 1e30f; // token 1, channel 2
        bad.add(row(RUN, "scene-bad", "bad-large", ts, large, TOKENS, CX, coupled(rnd, large), TOKENS, CY));
        Float[] nearMax = map(rnd, TOKENS, CY);
        nearMax[31] = -Float.MAX_VALUE; // token 7, channel 3
        bad.add(row(RUN, "scene-bad", "bad-float-max", ts, map(rnd, TOKENS, CX), TOKENS, CX, nearMax, TOKENS, CY));
        Float[] same = map(rnd, TOKENS, CX);
        bad.add(row(RUN, "scene-bad", "bad-identical", ts, same, TOKENS, CX, same.clone(), TOKENS, CY));
        // a valid sample whose scene and sample tokens are not ASCII: scored like any other
        bad.add(valid(rnd, RUN, NON_ASCII_SCENE, NON_ASCII_SAMPLE, ts));
        writeParquet(bad, CONTRACT.schema(), dir, "bad.parquet");
    }

    static final String NON_ASCII_SCENE = "scène-東京-ü";
    static final String NON_ASCII_SAMPLE = "échantillon-日本-😀";

    static Row quarantined(String sample) throws IOException {
        Row r = mixed().quarantineBySample().get(sample);
        assertNotNull(r, "sample " + sample + " is not in the quarantine table: " + mixed().quarantineBySample());
        assertTrue(r.getString(4).endsWith("bad.parquet"), "source_file names the file: " + r.getString(4));
        assertEquals(RUN, r.getString(5));
        assertEquals("scene-bad", r.getString(6));
        return r;
    }

    @Test
    void otherRowsAreScoredAndEveryInputRowIsAccountedFor() throws IOException {
        Mixed m = mixed();
        // 6 samples per scene: every scene row is below the 10-sample floor, so the job warns but succeeds.
        assertEquals("succeeded_with_warnings", m.result().status());
        assertTrue(m.result().sceneValidity().values().stream()
                .allMatch(v -> !v.ok() && v.reason().contains("samples, fewer than 10")));
        // 30 valid + 16 other rows (15 bad, 1 valid with non-ASCII tokens); the duplicated sample loses both copies
        assertEquals(46, m.result().inputRows());
        assertEquals(30, m.result().samples().size());
        assertEquals(16, m.result().rejected().size());
        assertEquals(30, spark.sql("SELECT * FROM im.infometer.sample_mi WHERE job_name = 'mixed'").count());
        assertEquals(16, spark.sql("SELECT * FROM im.infometer.quarantine WHERE job_name = 'mixed'").count());
        assertEquals(0, spark.sql("SELECT * FROM im.infometer.sample_mi WHERE job_name = 'mixed' AND "
                + "(sample_token LIKE 'bad-%' OR sample_token = 'sample-1-1' OR sample_token = '')").count());
        Row run = spark.sql("SELECT n_samples, n_quarantined, n_scenes FROM im.infometer.run_mi "
                + "WHERE job_name = 'mixed'").first();
        assertEquals(30L, run.getLong(0));
        assertEquals(16L, run.getLong(1));
        assertEquals(SCENES + 1, run.getLong(2));
        JsonNode summary = JobConfig.JSON.readTree(SummaryJson.path(m.cfg()).toFile());
        assertEquals("succeeded_with_warnings", summary.get("status").asText());
        assertEquals(SCENES + 1, summary.get("validity").get("scene_mi").get("unreliable").asInt());
        assertEquals(16, summary.get("quarantined_rows").asInt());
        assertEquals(2, summary.get("quarantined_by_reason").get("duplicate_key").asInt());
        assertEquals(2, summary.get("quarantined_by_reason").get("out_of_range").asInt());
    }

    @Test
    void wrongArrayLengthIsQuarantinedWithTheExpectedCount() throws IOException {
        Row r = quarantined("bad-length");
        assertEquals("length_mismatch", r.getString(1));
        assertEquals(X, r.getString(2));
        assertContains(r.getString(3), "31 values", "8 x 4 = 32 expected");
    }

    @Test
    void nanIsQuarantinedNamingIndexTokenAndChannel() throws IOException {
        Row r = quarantined("bad-nan");
        assertEquals("non_finite", r.getString(1));
        assertEquals(X, r.getString(2));
        assertContains(r.getString(3), "camera[5]", "token 1", "channel 1", "NaN");
    }

    @Test
    void infinityIsQuarantinedNamingIndexTokenAndChannel() throws IOException {
        Row r = quarantined("bad-inf");
        assertEquals("non_finite", r.getString(1));
        assertEquals(Y, r.getString(2));
        assertContains(r.getString(3), "lidar[14]", "token 3", "channel 2", "Infinity");
    }

    @Test
    void nullElementIsQuarantined() throws IOException {
        Row r = quarantined("bad-null-element");
        assertEquals("non_finite", r.getString(1));
        assertEquals(X, r.getString(2));
        assertContains(r.getString(3), "camera[9]", "token 2", "channel 1", "null");
    }

    @Test
    void nullModalityIsQuarantinedNamingTheColumn() throws IOException {
        Row camera = quarantined("bad-null-camera");
        assertEquals("null_modality", camera.getString(1));
        assertEquals(X, camera.getString(2));
        assertContains(camera.getString(3), "camera is null");
        Row lidar = quarantined("bad-null-lidar");
        assertEquals("null_modality", lidar.getString(1));
        assertEquals(Y, lidar.getString(2));
        assertContains(lidar.getString(3), "lidar is null");
    }

    @Test
    void tokenMismatchIsQuarantined() throws IOException {
        Row r = quarantined("bad-tokens");
        assertEquals("token_mismatch", r.getString(1));
        assertEquals("lidar_tokens", r.getString(2));
        assertContains(r.getString(3), "camera_tokens = 8", "lidar_tokens = 7");
    }

    @Test
    void channelMismatchAcrossARunIsQuarantined() throws IOException {
        Row r = quarantined("bad-channels");
        assertEquals("channel_mismatch", r.getString(1));
        assertEquals("camera_channels", r.getString(2));
        assertContains(r.getString(3), "camera_channels = 2", "run " + RUN + " uses 4");
    }

    @Test
    void zeroTokensAndEmptyMapsAreQuarantined() throws IOException {
        Row zero = quarantined("bad-zero-tokens");
        assertEquals("bad_shape", zero.getString(1));
        assertEquals("camera_tokens", zero.getString(2));
        assertContains(zero.getString(3), "camera shape 0 x 4", "0 values", "at least one token");
        Row empty = quarantined("bad-empty-array");
        assertEquals("length_mismatch", empty.getString(1));
        assertEquals(X, empty.getString(2));
        assertContains(empty.getString(3), "camera has 0 values", "8 x 4 = 32 expected");
    }

    @Test
    void emptySampleTokenIsQuarantinedAndNonAsciiTokensAreScored() throws IOException {
        Row empty = quarantined("");
        assertEquals("empty_key", empty.getString(1));
        assertEquals("sample_token", empty.getString(2));
        assertContains(empty.getString(3), "sample_token is empty");
        // Non-ASCII tokens survive the fold hash, the tables and the round trip unchanged.
        List<Row> scored = spark.sql("SELECT scene_token, sample_token, fold, hx_bits FROM im.infometer.sample_mi "
                + "WHERE job_name = 'mixed' AND scene_token = '" + NON_ASCII_SCENE + "'").collectAsList();
        assertEquals(1, scored.size(), scored.toString());
        assertEquals(NON_ASCII_SAMPLE, scored.get(0).getString(1));
        assertTrue(Double.isFinite(scored.get(0).getDouble(3)));
        assertTrue(mixed().result().sceneValidity().containsKey(MeasureJob.sceneKey(RUN, NON_ASCII_SCENE)));
    }

    @Test
    void valuesBeyondTheFixedPointRangeAreQuarantinedNamingIndexTokenAndChannel() throws IOException {
        // 1e30 used to fail the whole fit with "Sum term ... exceeds the fixed-point range 2^78"
        Row large = quarantined("bad-large");
        assertEquals("out_of_range", large.getString(1));
        assertEquals(X, large.getString(2));
        assertContains(large.getString(3), "camera[6]", "token 1", "channel 2", "1.0E30", "2^24", "rescale");
        Row max = quarantined("bad-float-max");
        assertEquals("out_of_range", max.getString(1));
        assertEquals(Y, max.getString(2));
        assertContains(max.getString(3), "lidar[31]", "token 7", "channel 3", "-3.4028235E38");
    }

    @Test
    void aSampleWhoseLidarEqualsItsCameraIsQuarantined() throws IOException {
        Row r = quarantined("bad-identical");
        assertEquals("identical_modalities", r.getString(1));
        assertEquals(Y, r.getString(2));
        assertContains(r.getString(3), "lidar is identical to camera", "all 32 values", "infinite");
    }

    @Test
    void everyCopyOfADuplicatedKeyIsQuarantined() throws IOException {
        Mixed m = mixed();
        List<Row> dups = spark.sql("SELECT source_file, run_id, sample_token, reason_code, reason "
                + "FROM im.infometer.quarantine WHERE job_name = 'mixed' AND sample_token = 'sample-1-1' "
                + "ORDER BY source_file").collectAsList();
        assertEquals(2, dups.size(), dups.toString());
        assertTrue(dups.get(0).getString(0).endsWith("bad.parquet"), dups.toString());
        assertTrue(dups.get(1).getString(0).endsWith("good.parquet"), dups.toString());
        for (Row d : dups) {
            assertEquals(RUN, d.getString(1));
            assertEquals("duplicate_key", d.getString(3));
            assertContains(d.getString(4), "(" + RUN + ", sample-1-1)", "appears 2 times");
        }
        assertTrue(m.result().samples().stream().noneMatch(s -> s.sampleToken().equals("sample-1-1")));
    }

    // ----------------------------------------------------------------------------------------------------------
    // Too many rejected rows: the run fails and an earlier run's tables stay as they were

    @Test
    void rejectedFractionOverTheLimitFailsAndLeavesEarlierTablesUnchanged() throws IOException {
        String job = "earlier";
        List<String> tables = List.of("quarantine", "sample_mi", "scene_mi", "run_mi");

        // Earlier run: 30 valid rows and one NaN row (1 of 31 = 3.2%, under the default 5% limit).
        Path first = tmp.resolve("earlier-ok");
        List<Row> good = validRows(3);
        writeParquet(good, CONTRACT.schema(), first, "good.parquet");
        Random rnd = new Random(4);
        Float[] nanX = map(rnd, TOKENS, CX);
        nanX[0] = Float.NaN;
        writeParquet(List.of(row(RUN, "scene-x", "first-nan", 1L, nanX, TOKENS, CX, map(rnd, TOKENS, CY), TOKENS,
                CY)), CONTRACT.schema(), first, "bad.parquet");
        MeasureResult ok = measure(config(job, first, 0.05));
        assertEquals(30, ok.samples().size());
        assertEquals(1, ok.rejected().size());

        Map<String, List<Row>> before = new HashMap<>();
        Map<String, Long> snapshotsBefore = new HashMap<>();
        for (String t : tables) {
            before.put(t, tableRows(t, job));
            snapshotsBefore.put(t, snapshots(t));
        }
        assertEquals(30, before.get("sample_mi").size());
        assertEquals(1, before.get("quarantine").size());
        assertEquals(SCENES, before.get("scene_mi").size());
        assertEquals(1, before.get("run_mi").size());

        // Same job and date, new data: 30 valid rows, 2 NaN rows and 1 short row (3 of 33 = 9.1% > 5%).
        Path second = tmp.resolve("earlier-bad");
        writeParquet(validRows(5), CONTRACT.schema(), second, "good.parquet");
        List<Row> bad = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Float[] x = map(rnd, TOKENS, CX);
            x[3] = Float.NaN;
            bad.add(row(RUN, "scene-x", "second-nan-" + i, 2L, x, TOKENS, CX, map(rnd, TOKENS, CY), TOKENS, CY));
        }
        bad.add(row(RUN, "scene-x", "second-short", 2L, map(rnd, TOKENS, CX), TOKENS, CX,
                map(rnd, TOKENS - 1, CY), TOKENS, CY));
        Path badFile = writeParquet(bad, CONTRACT.schema(), second, "bad.parquet");
        JobConfig cfg = config(job, second, 0.05);
        InputException e = measureFails(cfg);
        assertContains(e.getMessage(), "3 of 33 input rows", "9.1%", "validation.maxRejectedFraction = 5.0%",
                "length_mismatch=1", "non_finite=2", badFile.getFileName().toString());

        for (String t : tables) {
            assertEquals(snapshotsBefore.get(t), snapshots(t), "no new snapshot of " + t);
            assertEquals(before.get(t), tableRows(t, job), "rows of " + t + " are unchanged");
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // Contract breaks: the run fails with a message naming the file, the column and what was expected

    @Test
    void missingColumnNamesFileColumnAndExpectedType() throws IOException {
        Path dir = tmp.resolve("missing-column");
        int lidarChannels = CONTRACT.columns().indexOf("lidar_channels");
        List<Row> rows = validRows(6).stream().map(r -> drop(r, lidarChannels)).toList();
        Path file = writeParquet(rows, without(CONTRACT.schema(), "lidar_channels"), dir, "part-0.parquet");
        InputException e = measureFails(config("missing-column", dir, 0.05));
        assertContains(e.getMessage(), file.getFileName().toString(), "'lidar_channels' is missing",
                "expected INT");
    }

    @Test
    void wrongTypesNameFileColumnActualAndExpectedType() throws IOException {
        Path dir = tmp.resolve("wrong-type");
        int camera = CONTRACT.columns().indexOf("camera");
        int cameraTokens = CONTRACT.columns().indexOf("camera_tokens");
        List<Row> rows = validRows(7).stream().map(r -> {
            @SuppressWarnings("unchecked")
            List<String> asText = ((List<Float>) r.get(camera)).stream().map(String::valueOf).toList();
            return set(set(r, camera, asText), cameraTokens, String.valueOf(r.getInt(cameraTokens)));
        }).toList();
        StructType schema = withField(withField(CONTRACT.schema(), "camera",
                DataTypes.createArrayType(DataTypes.StringType)), "camera_tokens", DataTypes.StringType);
        Path file = writeParquet(rows, schema, dir, "part-0.parquet");
        InputException e = measureFails(config("wrong-type", dir, 0.05));
        assertContains(e.getMessage(), file.getFileName().toString(),
                "'camera' has type ARRAY<STRING>, expected ARRAY<FLOAT>",
                "'camera_tokens' has type STRING, expected INT");
    }

    @Test
    void emptyInputSaysItHasNoRows() throws IOException {
        Path dir = tmp.resolve("empty");
        writeParquet(List.of(), CONTRACT.schema(), dir, "part-0.parquet");
        InputException e = measureFails(config("empty", dir, 0.05));
        assertContains(e.getMessage(), dir.toString(), "has no rows");
    }

    @Test
    void missingPathIsNamed() throws IOException {
        Path dir = tmp.resolve("does-not-exist");
        InputException e = measureFails(config("missing-path", dir, 0.05));
        assertContains(e.getMessage(), dir.toString(), "does not exist");
    }

    @Test
    void corruptFileBesideGoodFilesIsNamed() throws IOException {
        Path dir = tmp.resolve("corrupt");
        writeParquet(validRows(8), CONTRACT.schema(), dir, "part-0.parquet");
        Path corrupt = dir.resolve("part-1.parquet");
        byte[] garbage = new byte[4096];
        new Random(9).nextBytes(garbage);
        Files.write(corrupt, garbage);
        InputException e = measureFails(config("corrupt", dir, 0.05));
        assertContains(e.getMessage(), "part-1.parquet", "not a readable Parquet file");
        assertFalse(e.getMessage().contains("part-0.parquet"), e.getMessage());
    }

    @Test
    void corruptDataPagesFailTheRunNamingTheFile() throws IOException {
        Path dir = tmp.resolve("corrupt-pages");
        writeParquet(validRows(10), CONTRACT.schema(), dir, "part-0.parquet");
        Path file = writeParquet(validRows(11).stream().map(r -> set(set(r, 1, "scene-c"), 2, "c-" + r.getString(2)))
                .toList(), CONTRACT.schema(), dir, "part-1.parquet");
        // Keep the footer (so the schema check passes) and overwrite every data page with garbage.
        byte[] bytes = Files.readAllBytes(file);
        int footer = java.nio.ByteBuffer.wrap(bytes, bytes.length - 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getInt();
        byte[] garbage = new byte[bytes.length - 8 - footer - 4];
        new Random(12).nextBytes(garbage);
        System.arraycopy(garbage, 0, bytes, 4, garbage.length);
        Files.write(file, bytes);
        JobConfig cfg = config("corrupt-pages", dir, 0.05);
        Exception e = assertThrows(Exception.class, () -> measure(cfg));
        JsonNode summary = JobConfig.JSON.readTree(SummaryJson.path(cfg).toFile());
        assertEquals("failed", summary.get("status").asText());
        // Spark's own read error (a SparkException) reaches the caller; its first line names the file.
        assertContains(e.getMessage().split("\n")[0], "Encountered error while reading file", file.toString());
        assertEquals(e.getMessage(), summary.get("error").asText());
        assertFalse(summary.get("tables_changed").asBoolean());
    }

    // ----------------------------------------------------------------------------------------------------------
    // Data the estimate cannot stand on: scored, and marked so in status and status_reason

    static final StructType WIDE = new FeatureContract(X, Y).schema();

    /** One valid sample with its own channel counts. */
    static Row sized(Random rnd, String run, String scene, String sample, int cx, int cy) {
        Float[] x = map(rnd, TOKENS, cx);
        Float[] y = map(rnd, TOKENS, cy);
        for (int i = 0; i < TOKENS; i++) {
            for (int j = 0; j < Math.min(cx, cy); j++) {
                y[i * cy + j] = (float) (0.7 * x[i * cx + j] + 0.7 * y[i * cy + j]);
            }
        }
        return row(run, scene, sample, 0L, x, TOKENS, cx, y, TOKENS, cy);
    }

    private static MeasureResult shapes;

    /**
     * One job, four runs: "constant" (30 samples, camera channel 2 always 1.5), "one-scene" (30 samples, all in
     * one scene), "tiny" (3 samples for 5 folds) and "wide" (30 samples of 6 camera and 3 lidar channels, where
     * the other runs have 4 and 4).
     */
    static synchronized MeasureResult shapes() throws IOException {
        if (shapes != null) {
            return shapes;
        }
        Random rnd = new Random(21);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            Row r = sized(rnd, "constant", sceneToken(i % SCENES), "c-" + i, CX, CY);
            @SuppressWarnings("unchecked")
            List<Float> x = new ArrayList<>((List<Float>) r.get(FeatureContract.X));
            for (int t = 0; t < TOKENS; t++) {
                x.set(t * CX + 2, 1.5f);
            }
            rows.add(set(r, FeatureContract.X, x));
            rows.add(sized(rnd, "one-scene", "the-scene", "o-" + i, CX, CY));
            rows.add(sized(rnd, "wide", sceneToken(i % SCENES), "w-" + i, 6, 3));
        }
        for (int i = 0; i < 3; i++) {
            rows.add(sized(rnd, "tiny", sceneToken(i), "t-" + i, CX, CY));
        }
        rows.add(sized(rnd, "alone", sceneToken(0), "a-0", CX, CY));
        Path dir = tmp.resolve("shapes");
        writeParquet(rows, WIDE, dir, "part-0.parquet");
        shapes = measure(config("shapes", dir, 0.05));
        return shapes;
    }

    static Row runRow(String job, String run) {
        return spark.sql("SELECT status, status_reason, folds, n_samples, n_scenes, hx_bits_per_token, "
                + "mi_bits_per_token, mi_ci95_low_bits_per_token, n_tokens FROM im.infometer.run_mi WHERE job_name = '"
                + job + "' AND run_id = '" + run + "'").first();
    }

    @Test
    void aConstantChannelMarksTheRunUnreliableNamingTheChannel() throws IOException {
        shapes();
        Row r = runRow("shapes", "constant");
        assertEquals("unreliable", r.getString(0));
        assertContains(r.getString(1), "constant channel(s) camera channel 2 (= 1.5)", "-infinity",
                "H values are not meaningful");
        // Only that run: the others have no constant channel.
        for (String other : List.of("one-scene", "wide", "tiny")) {
            String reason = runRow("shapes", other).getString(1);
            assertFalse(reason != null && reason.contains("constant"), other + ": " + reason);
        }
        // Scenes inherit it: they are scored by the run's models.
        assertTrue(shapes().sceneValidity().get(MeasureJob.sceneKey("constant", sceneToken(0))).reason()
                .contains("constant channel"));
    }

    @Test
    void aSingleSceneRunSaysItsIntervalIsNotSceneClustered() throws IOException {
        shapes();
        Row r = runRow("shapes", "one-scene");
        assertEquals(1L, r.getLong(4));
        assertEquals("unreliable", r.getString(0));
        assertContains(r.getString(1), "1 scene: no scene-clustered interval exists");
        assertFalse(runRow("shapes", "wide").getString(1) != null
                && runRow("shapes", "wide").getString(1).contains("scene-clustered"));
        // The scene row itself is not marked for it (its interval is over its own samples anyway).
        String scene = shapes().sceneValidity().get(MeasureJob.sceneKey("one-scene", "the-scene")).reason();
        assertFalse(scene != null && scene.contains("scene-clustered"), scene);
    }

    @Test
    void fewerSamplesThanFoldsRecordsTheFoldsUsedAndSaysSo() throws IOException {
        MeasureResult m = shapes();
        Row r = runRow("shapes", "tiny");
        assertEquals(3L, r.getLong(3));
        int used = (int) m.samples().stream().filter(s -> s.runId().equals("tiny")).mapToInt(s -> s.fold())
                .distinct().count();
        assertTrue(used <= 3, "3 samples fill at most 3 folds");
        assertEquals(used, r.getInt(2), "run_mi.folds is the number of folds that hold samples, not the setting");
        assertEquals("unreliable", r.getString(0));
        assertContains(r.getString(1), "only " + used + " of the 5 configured folds hold samples (3 samples)");
        assertEquals(5, runRow("shapes", "wide").getInt(2), "30 samples fill all 5 folds");
    }

    @Test
    void aRunWithOneSampleIsQuarantinedWithItsReasonAndTheOtherRunsAreEstimated() throws IOException {
        MeasureResult m = shapes();
        Row q = spark.sql("SELECT run_id, sample_token, reason_code, reason, source_file FROM im.infometer.quarantine "
                + "WHERE job_name = 'shapes'").first();
        assertEquals("alone", q.getString(0));
        assertEquals("a-0", q.getString(1));
        assertEquals("run_too_small", q.getString(2));
        assertContains(q.getString(3), "run alone has 1 usable sample(s), in 1 of the 5 folds",
                "at least 3 folds", "the other runs are");
        assertTrue(q.getString(4).endsWith("part-0.parquet"), q.getString(4));
        assertEquals(List.of("constant", "one-scene", "tiny", "wide"), m.runs().stream()
                .map(r -> r.runId()).sorted().toList());
    }

    @Test
    void channelCountsMayDifferBetweenRuns() throws IOException {
        MeasureResult m = shapes();
        assertEquals(1, m.rejected().size(), "6 + 3 channels in one run and 4 + 4 in another are both valid; only "
                + "the one-sample run is quarantined");
        Row wide = runRow("shapes", "wide");
        assertEquals(30L, wide.getLong(3));
        assertEquals(30L * TOKENS, wide.getLong(8));
        assertTrue(wide.getDouble(6) > 0.1, "3 coupled channel pairs carry clear MI: " + wide.getDouble(6));
        assertEquals(30, m.samples().stream().filter(s -> s.runId().equals("wide")).count());
    }

    // ----------------------------------------------------------------------------------------------------------
    // Through the command line: exit codes and messages

    record Cli(int code, String err) {
    }

    static synchronized Cli cli(String... args) {
        PrintStream err = System.err;
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setErr(capture);
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Cli(code, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
    }

    /** A job file for the command line, on the shared warehouse; {@code extra} is spliced into the JSON object. */
    static Path jobFile(String job, Path features, String extra) throws IOException {
        Path f = tmp.resolve("jobs").resolve(job + ".json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "{\"name\": \"" + job + "\", \"input\": {\"features\": \"" + features + "\"}, "
                + "\"output\": {\"catalog\": \"im\", \"warehouse\": \"" + warehouse + "\", \"namespace\": "
                + "\"infometer\", \"summaryDir\": \"" + tmp.resolve("summaries") + "\"}" + extra + "}");
        return f;
    }

    static Map<String, Long> allSnapshots() {
        Map<String, Long> m = new HashMap<>();
        for (String t : List.of("quarantine", "sample_mi", "scene_mi", "run_mi")) {
            m.put(t, spark.catalog().tableExists("im.infometer." + t) ? snapshots(t) : 0L);
        }
        return m;
    }

    static synchronized Path goodInput() throws IOException {
        Path dir = tmp.resolve("good");
        if (!Files.exists(dir)) {
            writeParquet(validRows(31), CONTRACT.schema(), dir, "part-0.parquet");
        }
        return dir;
    }

    @Test
    void yIdenticalToXInEveryRowFailsWithExitCode3AndLeavesEarlierTablesUnchanged() throws IOException {
        String job = "identity";
        Path good = goodInput();
        assertEquals(0, cli("run", jobFile(job, good, "").toString(), "--run-date", DATE.toString()).code());
        List<Row> before = tableRows("run_mi", job);
        Map<String, Long> snaps = allSnapshots();
        Path dir = tmp.resolve("identity");
        List<Row> rows = validRows(32).stream().map(r -> set(r, FeatureContract.Y, r.get(FeatureContract.X)))
                .toList();
        Path file = writeParquet(rows, CONTRACT.schema(), dir, "part-0.parquet");
        Cli c = cli("run", jobFile(job, dir, "").toString(), "--run-date", DATE.toString());
        assertEquals(3, c.code(), c.err());
        assertContains(c.err(), "Bad input: 30 of 30 input rows", "identical_modalities=30", file.toString(),
                "lidar is identical to camera", "infinite");
        assertEquals(snaps, allSnapshots());
        assertEquals(before, tableRows("run_mi", job));
    }

    @Test
    void doubleArraysAreRefusedWithExitCode3NamingFileColumnAndCast() throws IOException {
        Path dir = tmp.resolve("double");
        int camera = CONTRACT.columns().indexOf(X);
        List<Row> rows = validRows(33).stream().map(r -> {
            @SuppressWarnings("unchecked")
            List<Double> d = ((List<Float>) r.get(camera)).stream().map(Float::doubleValue).toList();
            return set(r, camera, d);
        }).toList();
        Path file = writeParquet(rows, withField(CONTRACT.schema(), X, DataTypes.createArrayType(DataTypes.DoubleType)),
                dir, "part-0.parquet");
        Map<String, Long> snaps = allSnapshots();
        Cli c = cli("run", jobFile("double", dir, "").toString(), "--run-date", DATE.toString());
        assertEquals(3, c.code(), c.err());
        assertContains(c.err(), file.toString(), "'camera' has type ARRAY<DOUBLE>, expected ARRAY<FLOAT>",
                "CAST(camera AS ARRAY<FLOAT>)");
        assertEquals(snaps, allSnapshots());
    }

    @Test
    void anInputPathThatIsAParquetFileIsReadAndOneThatIsNotIsNamed() throws IOException {
        Path file;
        try (Stream<Path> files = Files.list(goodInput())) {
            file = files.filter(f -> f.toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        MeasureResult one = measure(config("single-file", file, 0.05));
        assertEquals(30, one.samples().size());
        Path text = tmp.resolve("features.csv");
        Files.writeString(text, "run_id,scene_token,sample_token\nscheme_1,scene-0,sample-0\n");
        Cli c = cli("run", jobFile("text-file", text, "").toString(), "--run-date", DATE.toString());
        assertEquals(3, c.code(), c.err());
        assertContains(c.err(), "Bad input: Input file file:" + text, "is not a readable Parquet file", "magic number");
    }

    @Test
    void anUnwritableWarehouseFailsBeforeAnyWorkWithExitCode2() throws IOException {
        Path blocker = Files.writeString(tmp.resolve("not-a-directory"), "x");
        Path bad = blocker.resolve("warehouse");
        Path f = tmp.resolve("jobs").resolve("unwritable.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "{\"name\": \"unwritable\", \"input\": {\"features\": \"" + goodInput() + "\"}, "
                + "\"output\": {\"warehouse\": \"" + bad + "\", \"summaryDir\": \"" + tmp.resolve("summaries")
                + "\"}}");
        Map<String, Long> snaps = allSnapshots();
        Cli c = cli("run", f.toString(), "--run-date", DATE.toString());
        // the shared catalog goes back to the shared warehouse for the other tests
        IcebergTables.configure(spark, "im", warehouse.toString());
        assertEquals(2, c.code(), c.err());
        assertContains(c.err(), "The warehouse ", bad.toString(), "is not writable", "ParentNotDirectoryException",
                "Nothing was computed");
        assertFalse(c.err().contains("\tat "), "no stack trace: " + c.err());
        JsonNode summary = JobConfig.JSON.readTree(tmp.resolve("summaries").resolve("unwritable")
                .resolve(DATE.toString()).resolve("summary.json").toFile());
        assertEquals("failed", summary.get("status").asText());
        assertEquals(snaps, allSnapshots());
    }

    @Test
    void malformedRunDatesExitWith2BeforeSparkWork() throws IOException {
        Path job = jobFile("dates", goodInput(), "");
        for (String d : List.of("2026-02-30", "26-11-24", "yesterday", "2026-1-5")) {
            Cli c = cli("run", job.toString(), "--run-date", d);
            assertEquals(2, c.code(), d + ": " + c.err());
            assertContains(c.err(), "--run-date must be YYYY-MM-DD, got " + d);
        }
    }

    @Test
    void jobFilesWithUnknownFieldsOrWrongTypesExitWith2NamingTheField() throws IOException {
        Path good = goodInput();
        Cli unknown = cli("run", jobFile("unknown", good, ", \"estimator\": {\"fold\": 5}").toString());
        assertEquals(2, unknown.code(), unknown.err());
        assertContains(unknown.err(), "unknown field 'estimator.fold'", "known fields here:", "folds");
        Cli fraction = cli("run", jobFile("fraction", good, ", \"estimator\": {\"folds\": 5.7}").toString());
        assertEquals(2, fraction.code(), fraction.err());
        assertContains(fraction.err(), "field 'estimator.folds' must be a whole number, got 5.7");
        Cli text = cli("run", jobFile("text", good, ", \"estimator\": {\"folds\": \"five\"}").toString());
        assertEquals(2, text.code(), text.err());
        assertContains(text.err(), "field 'estimator.folds' must be a whole number, got \"five\"");
        Cli quoted = cli("run", jobFile("quoted", good, ", \"validation\": {\"maxRejectedFraction\": \"0.5\"}")
                .toString());
        assertEquals(2, quoted.code(), quoted.err());
        assertContains(quoted.err(), "field 'validation.maxRejectedFraction' must be a number, got \"0.5\"");
        Cli topLevel = cli("run", jobFile("top", good, ", \"inputs\": {}").toString());
        assertEquals(2, topLevel.code(), topLevel.err());
        assertContains(topLevel.err(), "unknown field 'inputs'");
        // --set values are parsed as JSON first, so numbers given on the command line stay numbers
        JobConfig ok = JobConfig.fromTree(JobConfig.JSON.createObjectNode().put("name", "set"),
                List.of("input.features=/x", "estimator.folds=7", "validation.maxRejectedFraction=0.2"), DATE, "t");
        assertEquals(7, ok.estimator().folds());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobConfig.fromTree(
                JobConfig.JSON.createObjectNode().put("name", "set"), List.of("input.features=/x",
                        "estimator.folds=5.7"), DATE, "t"));
        assertContains(e.getMessage(), "field 'estimator.folds' must be a whole number, got 5.7");
    }
}
