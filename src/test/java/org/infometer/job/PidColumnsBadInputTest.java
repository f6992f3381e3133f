package org.infometer.job;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input for {@code pid-columns}, through the command line: a missing path or table, an empty table, a
 * continuous floating-point column and too many categories end with exit code 3 and a message naming the input
 * and the column, never a Spark stack trace; whole-number DOUBLE columns are read as categories.
 */
class PidColumnsBadInputTest {

    @TempDir
    static Path dir;
    static SparkSession spark;
    static final StructType SCHEMA = StructType.fromDDL("cam INT, lid INT, label INT, score DOUBLE, whole DOUBLE, "
            + "id STRING");

    record Cli(int code, String err, String out) {
    }

    @BeforeAll
    static void setUp() {
        spark = SparkTestSession.get();
    }

    static synchronized Cli cli(String... args) {
        PrintStream err = System.err;
        PrintStream out = System.out;
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (PrintStream ce = new PrintStream(e, true, StandardCharsets.UTF_8);
             PrintStream co = new PrintStream(o, true, StandardCharsets.UTF_8)) {
            System.setErr(ce);
            System.setOut(co);
            int code = Main.run(args);
            return new Cli(code, e.toString(StandardCharsets.UTF_8), o.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
    }

    static Cli pidColumns(String input, String x, String y, String target) {
        return cli("pid-columns", "--input", input, "--x", x, "--y", y, "--target", target, "--warehouse",
                dir.resolve("warehouse").toString());
    }

    /** 400 rows: label = cam XOR lid, a continuous score, whole-number doubles equal to cam, 400 distinct ids. */
    static synchronized Path table() {
        Path p = dir.resolve("table");
        if (!p.toFile().exists()) {
            Random rnd = new Random(3);
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < 1200; i++) {
                int a = rnd.nextInt(2);
                int b = rnd.nextInt(2);
                rows.add(RowFactory.create(a, b, a ^ b, rnd.nextGaussian(), (double) a, "id-" + i));
            }
            spark.createDataFrame(rows, SCHEMA).coalesce(1).write().parquet(p.toString());
        }
        return p;
    }

    static void assertLocated(Cli c, String... parts) {
        assertEquals(3, c.code(), c.err());
        assertTrue(c.err().startsWith("Bad input: "), c.err());
        for (String part : parts) {
            assertTrue(c.err().contains(part), "expected '" + part + "' in: " + c.err());
        }
        assertFalse(c.err().contains("\tat "), "no stack trace: " + c.err());
    }

    @Test
    void aMissingPathOrTableIsBadInputNamingIt() {
        Path missing = dir.resolve("no-such-table");
        assertLocated(pidColumns(missing.toString(), "cam", "lid", "label"), missing.toString(), "does not exist");
        assertLocated(pidColumns("no_such_catalog_table", "cam", "lid", "label"), "Table no_such_catalog_table "
                + "does not exist", "must contain a '/'");
    }

    @Test
    void anEmptyTableIsBadInputNotAHeader() {
        Path empty = dir.resolve("empty");
        spark.createDataFrame(List.of(), SCHEMA).coalesce(1).write().parquet(empty.toString());
        Cli c = pidColumns(empty.toString(), "cam", "lid", "label");
        assertLocated(c, "Table " + empty, "has no rows", "nothing to decompose");
        assertFalse(c.out().contains("PID of"), "no header-only report: " + c.out());

        Path nulls = dir.resolve("nulls");
        spark.createDataFrame(List.of(RowFactory.create(1, null, 0, 0.0, 0.0, "a"),
                RowFactory.create(null, 1, 1, 0.0, 0.0, "b")), SCHEMA).coalesce(1).write().parquet(nulls.toString());
        assertLocated(pidColumns(nulls.toString(), "cam", "lid", "label"), "has no row where cam, lid and label "
                + "are all set (2 rows");
    }

    @Test
    void aContinuousDoubleColumnIsRefusedNamingItAndAWholeNumberOneIsCounted() {
        assertLocated(pidColumns(table().toString(), "score", "lid", "label"), "Column 'score'", "is DOUBLE with "
                + "1200 non-integer values", "needs discrete columns", "Discretise it first");
        assertLocated(pidColumns(table().toString(), "cam", "lid", "score"), "Column 'score'");

        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        List<String> asInt = PidJob.columns(spark, table().toString(), "cam", "lid", "label", null, quiet);
        List<String> asDouble = PidJob.columns(spark, table().toString(), "whole", "lid", "label", null, quiet);
        // Same decomposition: only the column name in the header and the unique term's label differ.
        assertEquals(asInt.get(1).replace("U(cam)", "U(x)"), asDouble.get(1).replace("U(whole)", "U(x)"));
        assertTrue(asInt.get(1).contains("S 1.0") || asInt.get(1).contains("S 0.9"), "XOR is synergy: " + asInt);
    }

    @Test
    void moreCategoriesThanTheSolverTakesAreRefused() {
        assertLocated(pidColumns(table().toString(), "id", "lid", "label"), "Column 'id'", "1200 distinct values",
                "more than the 1000 categories");
    }
}
