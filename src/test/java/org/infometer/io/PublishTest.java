package org.infometer.io;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tables of one job change together: a publish stopped partway is completed by the next job. */
class PublishTest {

    static final LocalDate D1 = LocalDate.of(2026, 1, 1);
    static final LocalDate D2 = LocalDate.of(2026, 1, 2);

    @TempDir
    Path dir;

    @AfterEach
    void reset() {
        IcebergTables.failAfterSwitches = -1;
    }

    static List<Row> quarantine(LocalDate d, String job, int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> RowFactory.create(Date.valueOf(d), job,
                "f" + i, "run", "scene", "s" + i, "camera", "nan", "reason " + d)).toList();
    }

    static long count(SparkSession spark, String table, LocalDate d) {
        return spark.sql("SELECT count(*) FROM impub.ns." + table + " WHERE run_date = DATE'" + d + "' AND "
                + "job_name = 'j'").first().getLong(0);
    }

    @Test
    void aPublishStoppedPartwayIsReportedExactlyAndCompletedByTheNextJob() throws Exception {
        SparkSession spark = SparkTestSession.get();
        String wh = dir.resolve("wh").toString();
        IcebergTables.configure(spark, "impub", wh);
        // A measurement job's four tables; only quarantine gets rows here (the others' are empty), which is
        // enough to see which of them holds the new publish.
        Map<String, List<Row>> first = new LinkedHashMap<>();
        first.put("sample_mi", List.of());
        first.put("scene_mi", List.of());
        first.put("quarantine", quarantine(D1, "j", 3));
        first.put("run_mi", List.of());
        IcebergTables.publish(spark, "impub", "ns", first, D1, "j");
        IcebergTables.publish(spark, "impub", "ns2", first, D1, "j");
        assertEquals(3, count(spark, "quarantine", D1));

        Map<String, List<Row>> second = new LinkedHashMap<>(first);
        second.put("quarantine", quarantine(D1, "j", 5));
        IcebergTables.failAfterSwitches = 2;
        IcebergTables.PublishException e = assertThrows(IcebergTables.PublishException.class,
                () -> IcebergTables.publish(spark, "impub", "ns", second, D1, "j"));
        assertEquals(List.of("sample_mi", "scene_mi"), e.published());
        assertEquals(List.of("quarantine", "run_mi"), e.pending());
        assertEquals("Tables with the new rows: sample_mi, scene_mi; pending (completed by the next job on this "
                + "warehouse): quarantine, run_mi.", IcebergTables.changeReport(new RuntimeException(e)));
        assertEquals(List.of("sample_mi", "scene_mi"), IcebergTables.changedTables(e));
        // Staged but not published: readers still see the earlier rows.
        assertEquals(3, count(spark, "quarantine", D1));
        assertEquals(1, journals(wh).size());

        IcebergTables.failAfterSwitches = -1;
        IcebergTables.configure(spark, "impub", wh);
        assertEquals(5, count(spark, "quarantine", D1));
        assertEquals(List.of(), journals(wh));
        // Completing is idempotent: a second look changes nothing.
        IcebergTables.configure(spark, "impub", wh);
        assertEquals(5, count(spark, "quarantine", D1));
        assertEquals(3, spark.sql("SELECT count(*) FROM impub.ns2.quarantine").first().getLong(0));
    }

    @Test
    void aStaleLockOfADeadJobIsTakenOver() throws Exception {
        SparkSession spark = SparkTestSession.get();
        Path wh = dir.resolve("wh2");
        Files.createDirectories(wh);
        Path lock = wh.resolve(WarehouseLock.NAME);
        Files.writeString(lock, "12345@gone dead");
        Files.setLastModifiedTime(lock, java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - (WarehouseLock.STALE_S + 5) * 1000L));
        long t0 = System.nanoTime();
        try (WarehouseLock l = WarehouseLock.acquire(spark, wh.toUri().toString())) {
            assertTrue(Files.readString(lock).contains("@"), "our lock");
            assertTrue(!Files.readString(lock).contains("gone"), "the dead job's lock was replaced");
        }
        assertTrue((System.nanoTime() - t0) / 1e9 < 5);
        assertTrue(!Files.exists(lock), "released");
    }

    static List<Path> journals(String wh) throws Exception {
        try (Stream<Path> s = Files.list(Path.of(wh))) {
            return s.filter(p -> p.getFileName().toString().startsWith(IcebergTables.JOURNAL_PREFIX)).toList();
        }
    }
}
