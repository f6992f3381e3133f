package org.infometer.job;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.infometer.schema.TableContract;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pid-columns --write} fills the pid table under the pid mode's contract, read back through Spark SQL. */
class PidColumnsWriteTest {

    @TempDir
    static Path dir;

    @Test
    void writesOneRunRowPerGroupUnderThePidContract() {
        SparkSession spark = SparkTestSession.get();
        Random r = new Random(11);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            int a = r.nextInt(2);
            int b = r.nextInt(2);
            // xor: the target is purely synergistic; copy: the target is cam, so all of it is unique to cam.
            rows.add(RowFactory.create("xor", a, b, a ^ b));
            rows.add(RowFactory.create("copy", a, b, a));
        }
        Path table = dir.resolve("columns");
        spark.createDataFrame(rows, StructType.fromDDL("grp STRING, cam INT, lid INT, label INT")).write()
                .parquet(table.toString());
        String[] args = {"pid-columns", "--input", table.toString(), "--x", "cam", "--y", "lid", "--target", "label",
            "--group", "grp", "--warehouse", dir.resolve("warehouse").toString(), "--write", "--job", "cols",
            "--run-date", "2026-11-24", "--summary", dir.resolve("summary.json").toString()};
        assertEquals(0, MainAccess.run(args));
        // A second run of the same (run_date, job_name) replaces its rows, as the pid mode's does.
        assertEquals(0, MainAccess.run(args));

        var out = spark.sql("SELECT * FROM im.infometer.pid WHERE job_name = 'cols' ORDER BY run_id");
        assertArrayEquals(TableContract.load("pid").schema().fieldNames(), out.schema().fieldNames());
        List<Row> got = out.collectAsList();
        assertEquals(2, got.size());
        for (Row row : got) {
            assertEquals("2026-11-24", row.getAs("run_date").toString());
            assertEquals("run", row.getAs("level"));
            assertEquals("cam", row.getAs("x_modality"));
            assertEquals("lid", row.getAs("y_modality"));
            assertEquals("label", row.getAs("target_column"));
            assertEquals(2, (int) row.getAs("k_x"));
            assertEquals(2, (int) row.getAs("k_y"));
            assertTrue(row.isNullAt(row.fieldIndex("pca_dims")) && row.isNullAt(row.fieldIndex("scene_token")));
            assertEquals(4000L, (long) row.getAs("n_samples"));
            assertTrue((boolean) row.getAs("converged") && !(boolean) row.getAs("bias_corrected"));
            double sum = Arrays.stream(new String[] {"redundancy", "unique_x", "unique_y", "synergy"})
                    .mapToDouble(t -> row.<Double>getAs(t + "_bits")).sum();
            assertEquals(row.<Double>getAs("i_joint_target_bits"), sum, 1e-9, "terms add up to I(x,y;T)");
            assertEquals(row.<Double>getAs("synergy_bits"), row.<Double>getAs("synergy_raw_bits"), 0.0,
                    "plug-in: reported terms are the raw ones");
            assertEquals("unreliable", row.getAs("status"));
            assertTrue(row.<String>getAs("status_reason").contains("plug-in"));
        }
        Row copy = got.get(0);
        Row xor = got.get(1);
        assertEquals("copy", copy.getAs("run_id"));
        assertEquals("unique_x", copy.getAs("dominant_term"));
        assertEquals(1.0, copy.<Double>getAs("unique_x_bits"), 0.01);
        assertEquals("xor", xor.getAs("run_id"));
        assertEquals("synergy", xor.getAs("dominant_term"));
        assertEquals(1.0, xor.<Double>getAs("synergy_bits"), 0.01);
    }
}
