package org.infometer.schema;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table contracts in data-schemas/ parse and say what the jobs rely on. */
class TableContractsTest {

    @Test
    void outputTablesArePartitionedByRunDateAndJob() {
        for (String t : List.of("run_mi", "scene_mi", "sample_mi", "quarantine", "pid", "history", "pid_history")) {
            StructType s = TableContract.load(t).schema();
            assertEquals(DataTypes.DateType, s.apply("run_date").dataType(), t);
            assertEquals(DataTypes.StringType, s.apply("job_name").dataType(), t);
        }
    }

    @Test
    void featuresContractExpandsPerModality() {
        StructType s = TableContract.load("features").schema("camera", "radar");
        assertEquals(List.of("run_id", "scene_token", "sample_token", "timestamp", "camera", "camera_tokens",
                "camera_channels", "radar", "radar_tokens", "radar_channels"), List.of(s.fieldNames()));
        assertEquals(DataTypes.createArrayType(DataTypes.FloatType), s.apply("camera").dataType());
    }

    @Test
    void unitsAreInTheColumnNames() {
        for (String t : List.of("run_mi", "scene_mi", "sample_mi", "pid", "history", "pid_history")) {
            for (String f : TableContract.load(t).schema().fieldNames()) {
                if (f.startsWith("mi_") || f.startsWith("h") && f.contains("_bits") || f.endsWith("_bits")) {
                    assertTrue(f.contains("bits"), t + "." + f);
                }
            }
        }
    }

    @Test
    void missingContractIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TableContract.load("nope"));
        assertTrue(e.getMessage().contains("data-schemas/nope.ddl"));
    }
}
