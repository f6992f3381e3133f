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

/** Rows staged from the driver read back exactly as the same rows written by Spark's Iceberg writer. */
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

    @Test
    void driverWrittenRowsEqualSparkWrittenRows() {
        SparkSession spark = SparkTestSession.get();
        IcebergTables.configure(spark, "imlocal", dir.resolve("wh").toString());
        List<Row> a = rows("local", 40, 3);
        List<Row> b = new ArrayList<>();
        a.forEach(r -> {
            Object[] v = new Object[r.length()];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.get(i);
            }
            v[1] = "spark";
            b.add(RowFactory.create(v));
        });
        IcebergTables.publish(spark, "imlocal", "ns", Map.of("run_mi", a), DAY, "local");
        IcebergTables.publishFrames(spark, "imlocal", "ns", Map.of("run_mi",
                spark.createDataFrame(b, TableContract.load("run_mi").schema()).coalesce(1)), DAY, "spark");
        List<String> local = read(spark, "local");
        List<String> viaSpark = read(spark, "spark").stream().map(s -> s.replace(",spark,", ",local,")).sorted()
                .toList();
        assertEquals(40, local.size());
        assertEquals(viaSpark, local);
        // Published again, the partition's rows are replaced, not added to.
        IcebergTables.publish(spark, "imlocal", "ns", Map.of("run_mi", rows("local", 7, 4)), DAY, "local");
        assertEquals(7, read(spark, "local").size());
        IcebergTables.publish(spark, "imlocal", "ns", Map.of("run_mi", List.of()), DAY, "local");
        assertEquals(0, read(spark, "local").size());
    }
}
