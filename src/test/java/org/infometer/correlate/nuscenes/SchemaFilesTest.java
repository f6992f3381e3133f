package org.infometer.correlate.nuscenes;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.infometer.schema.SchemaCheck;
import org.junit.jupiter.api.Test;

/** The schemas in code are the ones in data-schemas/. */
class SchemaFilesTest {

    static StructType ddl(String file) throws IOException {
        return StructType.fromDDL(Files.readString(Path.of("data-schemas", file)));
    }

    @Test
    void detectionTablesMatchTheirFiles() throws IOException {
        StructType detections = (StructType) DataType.fromJson(Files.readString(Path.of("data-schemas", "detections.json")));
        assertTrue(SchemaCheck.sameShape(DetectionRows.PREDICTIONS, detections), detections.treeString());
        assertTrue(SchemaCheck.sameShape(DetectionRows.GT_BOXES, ddl("gt_boxes.ddl")));
        assertTrue(SchemaCheck.sameShape(DetectionRows.RUN_METRICS, ddl("run_metrics.ddl")));
        assertTrue(SchemaCheck.sameShape(DetectionRows.SCENE_ACCURACY, withoutPartition(ddl("scene_accuracy.ddl"), 2)));
    }

    /** The columns after the partition (and provenance) columns the stored table adds in front. */
    static StructType withoutPartition(StructType table, int leading) {
        return new StructType(java.util.Arrays.copyOfRange(table.fields(), leading, table.fields().length));
    }
}
