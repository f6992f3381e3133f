package org.infometer.io;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.infometer.schema.TableContract;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A warehouse written by an earlier release keeps working when a contract gains columns. */
class SchemaEvolutionTest {

    @TempDir
    Path dir;

    /** The contract's schema without the named columns: what an earlier release created. */
    private static StructType without(StructType schema, List<String> dropped) {
        return new StructType(Arrays.stream(schema.fields()).filter(f -> !dropped.contains(f.name()))
                .toArray(StructField[]::new));
    }

    @Test
    void missingColumnsAreAddedAndEarlierRowsReadNull() throws Exception {
        SparkSession spark = SparkTestSession.get();
        IcebergTables.configure(spark, "imevo", dir.resolve("wh").toString());
        spark.sql("CREATE NAMESPACE IF NOT EXISTS imevo.ns");
        List<String> added = List.of("mi_run_model_bits_per_token", "scene_refit_pairs");
        StructType old = without(TableContract.load("scene_mi").schema(), added);
        spark.sql("CREATE TABLE imevo.ns.scene_mi (" + old.toDDL() + ") USING iceberg");
        Object[] values = new Object[old.fields().length];
        values[old.fieldIndex("run_date")] = java.sql.Date.valueOf("2026-01-01");
        values[old.fieldIndex("job_name")] = "j";
        values[old.fieldIndex("mi_bits_per_token")] = 0.5;
        spark.createDataFrame(List.of(org.apache.spark.sql.RowFactory.create(values)), old)
                .writeTo("imevo.ns.scene_mi").append();

        IcebergTables.ensure(spark, "imevo", "ns", "scene_mi");

        StructType now = spark.table("imevo.ns.scene_mi").schema();
        for (String c : added) {
            assertTrue(List.of(now.fieldNames()).contains(c), c + " added");
        }
        Row r = spark.sql("SELECT mi_bits_per_token, mi_run_model_bits_per_token, scene_refit_pairs "
                + "FROM imevo.ns.scene_mi").first();
        assertEquals(0.5, r.getDouble(0));
        assertTrue(r.isNullAt(1) && r.isNullAt(2), "rows written before read NULL in the new columns");
    }

    @Test
    void aChangedTypeIsStillRefused() {
        SparkSession spark = SparkTestSession.get();
        IcebergTables.configure(spark, "imevo2", dir.resolve("wh2").toString());
        spark.sql("CREATE NAMESPACE IF NOT EXISTS imevo2.ns");
        String ddl = TableContract.load("scene_mi").schema().toDDL().replace("n_samples BIGINT", "n_samples STRING");
        spark.sql("CREATE TABLE imevo2.ns.scene_mi (" + ddl + ") USING iceberg");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> IcebergTables.ensure(spark, "imevo2", "ns", "scene_mi"));
        assertTrue(e.getMessage().contains("n_samples is STRING not BIGINT"), e.getMessage());
    }
}
