package org.infometer.pid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** data-schemas/pid.ddl parses with Spark's own parser and has the columns the PID job writes. */
class PidTableSchemaTest {

    private static String statement() throws IOException {
        return Files.readAllLines(Path.of("data-schemas", "pid.ddl"), StandardCharsets.UTF_8).stream()
                .filter(line -> !line.trim().startsWith("--"))
                .collect(Collectors.joining("\n"))
                .trim()
                .replaceAll(";$", "");
    }

    /** The text between the parentheses that follow CREATE TABLE ... pid, respecting quoted comments. */
    private static String columnList(String sql) {
        int start = sql.indexOf('(');
        int depth = 0;
        boolean quoted = false;
        for (int i = start; i < sql.length(); i++) {
            char ch = sql.charAt(i);
            if (ch == '\'') {
                quoted = !quoted;
            } else if (!quoted && ch == '(') {
                depth++;
            } else if (!quoted && ch == ')' && --depth == 0) {
                return sql.substring(start + 1, i);
            }
        }
        throw new IllegalStateException("unbalanced parentheses in pid.ddl");
    }

    private static void assertColumn(StructType schema, String name, DataType type, boolean nullable) {
        StructField f = schema.apply(name);
        assertEquals(type, f.dataType(), name);
        assertEquals(nullable, f.nullable(), name + " nullability");
    }

    @Test
    void statementParsesAsCreateTablePartitionedByRunDate() throws IOException {
        String sql = statement();
        LogicalPlan plan = CatalystSqlParser$.MODULE$.parsePlan(sql);
        assertEquals("CreateTable", plan.getClass().getSimpleName());
        assertTrue(sql.contains("PARTITIONED BY (run_date)"), sql);
    }

    @Test
    void columnsCarryUnitsAndTheExpectedTypes() throws IOException {
        StructType schema = StructType.fromDDL(columnList(statement()));
        assertColumn(schema, "run_id", DataTypes.StringType, false);
        assertColumn(schema, "run_date", DataTypes.DateType, false);
        assertColumn(schema, "level", DataTypes.StringType, false);
        assertColumn(schema, "scene_token", DataTypes.StringType, true);
        assertColumn(schema, "method", DataTypes.StringType, false);
        assertColumn(schema, "k_camera", DataTypes.IntegerType, false);
        assertColumn(schema, "k_lidar", DataTypes.IntegerType, false);
        assertColumn(schema, "pca_dims", DataTypes.IntegerType, true);
        assertColumn(schema, "target_column", DataTypes.StringType, false);
        assertColumn(schema, "n_samples", DataTypes.LongType, false);
        assertColumn(schema, "n_tokens", DataTypes.LongType, false);
        for (String term : new String[]{"redundancy", "unique_camera", "unique_lidar", "synergy"}) {
            assertColumn(schema, term + "_bits", DataTypes.DoubleType, true);
            assertColumn(schema, term + "_lower_bits", DataTypes.DoubleType, true);
            assertColumn(schema, term + "_upper_bits", DataTypes.DoubleType, true);
        }
        assertColumn(schema, "i_camera_target_bits", DataTypes.DoubleType, true);
        assertColumn(schema, "i_lidar_target_bits", DataTypes.DoubleType, true);
        assertColumn(schema, "i_joint_target_bits", DataTypes.DoubleType, true);
        assertColumn(schema, "complementarity", DataTypes.DoubleType, true);
        assertColumn(schema, "solver_gap_bits", DataTypes.DoubleType, true);
        assertColumn(schema, "converged", DataTypes.BooleanType, false);
        assertColumn(schema, "status", DataTypes.StringType, false);
        for (StructField f : schema.fields()) {
            assertFalse(f.getComment().isEmpty(), f.name() + " has no comment");
        }
    }

    @Test
    void headerExplainsEveryColumn() throws IOException {
        String header = Files.readAllLines(Path.of("data-schemas", "pid.ddl"), StandardCharsets.UTF_8).stream()
                .filter(line -> line.startsWith("--"))
                .collect(Collectors.joining("\n"));
        for (StructField f : StructType.fromDDL(columnList(statement())).fields()) {
            assertTrue(header.contains("--   " + f.name() + " "), "header lacks " + f.name());
        }
    }
}
