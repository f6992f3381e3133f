package org.infometer.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.config.JobConfig;
import org.infometer.progress.Progress;
import org.infometer.report.MeasureResult;
import org.infometer.synth.GenerateConfig;
import org.infometer.synth.GenerateJob;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The sample table is written by the executors that hold the scored rows, in as few files as hold them: 96 rows in one
 * file whatever the input partitioning (several files only beyond 2^20 rows, {@code LocalTableWriterTest}), and the
 * same rows as a one-partition run (the other tables too).
 */
class SampleTableFilesTest {

    @TempDir
    static Path dir;
    static SparkSession spark;
    static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    @BeforeAll
    static void generate() {
        spark = SparkTestSession.get();
        GenerateJob.run(spark, new GenerateConfig(dir.resolve("data").toString(), 2, 8, 6, 20, 6, 5, 3, 31, 3,
                "camera", "lidar"), new Progress(QUIET));
    }

    static JobConfig config(String name, int partitions) {
        try {
            ObjectNode root = (ObjectNode) JobConfig.JSON.readTree("{\"name\": \"" + name + "\"}");
            return JobConfig.fromTree(root, List.of("input.features=" + dir.resolve("data/features"),
                    "input.repartition=" + partitions, "output.warehouse=" + dir.resolve("warehouse"),
                    "output.summaryDir=" + dir.resolve("out")), java.time.LocalDate.of(2026, 12, 7), "test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> rows(String table, String job) {
        List<String> out = new ArrayList<>();
        for (Row r : spark.sql("SELECT * FROM im.infometer." + table + " WHERE job_name = '" + job + "'")
                .drop("job_name").collectAsList()) {
            out.add(r.toString());
        }
        out.sort(null);
        return out;
    }

    static int dataFiles(String table, String job) {
        try {
            Table t = Spark3Util.loadIcebergTable(spark, "im.infometer." + table);
            t.refresh();
            int n = 0;
            try (CloseableIterable<FileScanTask> tasks = t.newScan().filter(Expressions.equal("job_name", job))
                    .planFiles()) {
                for (FileScanTask task : tasks) {
                    n += task.file().recordCount() > 0 ? 1 : 0;
                }
            }
            return n;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void severalPartitionsWriteOneFileWithTheRowsOfOne() {
        MeasureResult one = MeasureJob.run(spark, config("one", 1), QUIET, new Progress(QUIET));
        MeasureResult four = MeasureJob.run(spark, config("four", 4), QUIET, new Progress(QUIET));
        assertEquals(96, one.scored());
        assertEquals(one.scored(), four.scored());
        assertEquals(1, dataFiles("sample_mi", "one"));
        assertEquals(1, dataFiles("sample_mi", "four"), "96 rows from 4 partitions, in one file");
        for (String table : List.of("sample_mi", "scene_mi", "run_mi", "quarantine")) {
            assertEquals(rows(table, "one"), rows(table, "four"), table);
        }
        assertEquals(96, rows("sample_mi", "four").size());
    }
}
