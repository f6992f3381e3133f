package org.infometer.io;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.infometer.schema.TableContract;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Rows staged from the driver or from tasks read back exactly as the same rows written by Spark's Iceberg writer. */
class LocalTableWriterTest {

    static final LocalDate DAY = LocalDate.of(2026, 12, 7);

    @TempDir
    Path dir;

    /** Rows of the run_mi contract: every type it has, nulls in every nullable column, extreme doubles. */
    private static List<Row> rows(String job, int n, long seed) {
        StructType schema = TableContract.load("run_mi").schema();
        Random r = new Random(seed);
        List<Row> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            Object[] v = new Object[schema.fields().length];
            for (int i = 0; i < v.length; i++) {
                StructField f = schema.fields()[i];
                String t = f.dataType().typeName();
                boolean nul = f.nullable() && r.nextInt(4) == 0;
                v[i] = switch (f.name()) {
                    case "run_date" -> Date.valueOf(DAY);
                    case "job_name" -> job;
                    default -> nul ? null : switch (t) {
                        case "string" -> "v" + r.nextInt(1000) + (r.nextBoolean() ? " ü" : "");
                        case "double" -> switch (r.nextInt(5)) {
                            case 0 -> Double.MAX_VALUE;
                            case 1 -> -0.0;
                            case 2 -> Double.MIN_VALUE;
                            default -> r.nextGaussian() * 1e6;
                        };
                        case "long" -> r.nextLong();
                        case "integer" -> r.nextInt();
                        case "date" -> Date.valueOf(DAY.minusDays(r.nextInt(5000)));
                        case "boolean" -> r.nextBoolean();
                        default -> throw new IllegalStateException("type " + t);
                    };
                };
            }
            out.add(RowFactory.create(v));
        }
        return out;
    }

    private static List<String> read(SparkSession spark, String job) {
        return spark.sql("SELECT * FROM imlocal.ns.run_mi WHERE job_name = '" + job + "'").collectAsList().stream()
                .map(Row::toString).sorted().toList();
    }

    private static List<Row> renamed(List<Row> rows, String job) {
        List<Row> out = new ArrayList<>();
        rows.forEach(r -> {
            Object[] v = new Object[r.length()];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.get(i);
            }
            v[1] = job;
            out.add(RowFactory.create(v));
        });
        return out;
    }

    private static List<String> readAs(SparkSession spark, String job, String as) {
        return read(spark, job).stream().map(s -> s.replace("," + job + ",", "," + as + ",")).sorted().toList();
    }

    @Test
    void driverAndTaskWrittenRowsEqualSparkWrittenRows() throws Exception {
        SparkSession spark = SparkTestSession.get();
        IcebergTables.configure(spark, "imlocal", dir.resolve("wh").toString());
        StructType schema = TableContract.load("run_mi").schema();
        List<Row> a = rows("local", 40, 3);
        IcebergTables.publish(spark, "imlocal", "ns", Map.of("run_mi", a), DAY, "local");
        // The same rows from a Dataset of 3 partitions, each task writing its own file.
        IcebergTables.publishFrames(spark, "imlocal", "ns", Map.of("run_mi",
                spark.createDataFrame(renamed(a, "tasks"), schema).repartition(3)), DAY, "tasks");
        // The reference: Spark's own Iceberg writer.
        spark.createDataFrame(renamed(a, "spark"), schema).coalesce(1).writeTo("imlocal.ns.run_mi").append();
        List<String> local = read(spark, "local");
        assertEquals(40, local.size());
        assertEquals(readAs(spark, "spark", "local"), local);
        assertEquals(readAs(spark, "tasks", "local"), local);
        // Published again, the partition's rows are replaced, not added to; an empty Dataset empties it.
        IcebergTables.publish(spark, "imlocal", "ns", Map.of("run_mi", rows("local", 7, 4)), DAY, "local");
        assertEquals(7, read(spark, "local").size());
        IcebergTables.publish(spark, "imlocal", "ns", Map.of("run_mi", List.of()), DAY, "local");
        assertEquals(0, read(spark, "local").size());
        IcebergTables.publishFrames(spark, "imlocal", "ns", Map.of("run_mi",
                spark.createDataFrame(List.of(), schema)), DAY, "tasks");
        assertEquals(0, read(spark, "tasks").size());
        assertEquals(40, read(spark, "spark").size());
    }

    @Test
    void aDatasetIsWrittenInAsFewFilesAsHoldItsRows() {
        SparkSession spark = SparkTestSession.get();
        org.apache.spark.sql.Dataset<Row> eight = spark.range(0, 1520, 1, 8).toDF();
        assertEquals(1, IcebergTables.TableRows.frame(eight, 1520).frame().rdd().getNumPartitions());
        assertEquals(1, IcebergTables.TableRows.frame(eight, 0).frame().rdd().getNumPartitions());
        long rows = 3 * IcebergTables.TableRows.ROWS_PER_FILE - 1;
        assertEquals(3, IcebergTables.TableRows.frame(eight, rows).frame().rdd().getNumPartitions());
        // Never more files than partitions.
        assertEquals(8, IcebergTables.TableRows.frame(eight, 100 * IcebergTables.TableRows.ROWS_PER_FILE).frame()
                .rdd().getNumPartitions());
    }
}
