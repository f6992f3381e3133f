package org.infometer.correlate.nuscenes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsReaderTest {

    private static final String BOX = "{\"sample_token\": \"%s\", \"translation\": [1.0, 2.0, 0.5], "
            + "\"size\": [1.9, 4.5, 1.6], \"rotation\": [1.0, 0.0, 0.0, 0.0], \"velocity\": [NaN, NaN], "
            + "\"detection_name\": \"car\", \"detection_score\": 0.75, \"attribute_name\": \"vehicle.parked\"}";

    private static final String META = "\"meta\": {\"use_camera\": true, \"use_lidar\": true, \"use_radar\": false, "
            + "\"use_map\": false, \"use_external\": false}";

    @TempDir
    Path dir;

    private Path write(String content) throws IOException {
        Path p = dir.resolve("results_nusc.json");
        Files.writeString(p, content);
        return p;
    }

    private static String box(String token) {
        return String.format(BOX, token);
    }

    @Test
    void readsSamplesInFileOrderWithIndices() throws IOException {
        Path p = write("{" + META + ", \"results\": {\"tokB\": [" + box("tokB") + ", " + box("tokB")
                + "], \"tokA\": [], \"tokC\": [" + box("tokC") + "]}}");
        ResultsReader.Submission s = ResultsReader.read(p);
        assertEquals(List.of("tokB", "tokA", "tokC"), List.copyOf(s.results().keySet()));
        assertEquals(3, s.boxCount());
        PredBox second = s.results().get("tokB").get(1);
        assertEquals(0, second.sampleIndex());
        assertEquals(1, second.boxIndex());
        assertEquals(2, s.results().get("tokC").get(0).sampleIndex());
        assertTrue(Double.isNaN(second.velocity()[0]));
        assertEquals(DetectionClass.CAR, second.detectionClass());
        assertEquals(Boolean.FALSE, s.meta().useRadar());
    }

    private InputFormatException fails(String resultsBody) throws IOException {
        Path p = write("{" + META + ", \"results\": {" + resultsBody + "}}");
        return assertThrows(InputFormatException.class, () -> ResultsReader.read(p));
    }

    @Test
    void errorsNameFileSampleAndField() throws IOException {
        InputFormatException e = fails("\"tokA\": [" + box("tokA") + ", "
                + box("tokA").replace("\"car\"", "\"sedan\"") + "]");
        assertEquals("results.tokA[1].detection_name", e.field());
        assertTrue(e.getMessage().contains("results_nusc.json") && e.getMessage().contains("sedan"), e.getMessage());

        // An integer score is accepted, as the devkit's float() accepts it (DevkitInputsTest); a string is not.
        e = fails("\"tokA\": [" + box("tokA").replace("0.75", "\"0.75\"") + "]");
        assertEquals("results.tokA[0].detection_score", e.field());
        assertTrue(e.getMessage().contains("expected a number"), e.getMessage());

        e = fails("\"tokA\": [" + box("tokA").replace("[1.0, 2.0, 0.5]", "[1.0, 2.0]") + "]");
        assertEquals("results.tokA[0].translation", e.field());

        e = fails("\"tokA\": [" + box("tokA").replace("[1.9, 4.5, 1.6]", "[1.9, NaN, 1.6]") + "]");
        assertEquals("results.tokA[0].size[1]", e.field());

        e = fails("\"tokA\": [" + box("tokB") + "]");
        assertEquals("results.tokA[0].sample_token", e.field());

        e = fails("\"tokA\": [" + box("tokA").replace("\"attribute_name\": \"vehicle.parked\"", "\"x\": 1") + "]");
        assertEquals("results.tokA[0].attribute_name", e.field());
        assertTrue(e.getMessage().endsWith("missing"), e.getMessage());

        e = fails("\"tokA\": [], \"tokA\": []");
        assertTrue(e.getMessage().contains("listed twice"), e.getMessage());
    }

    @Test
    void tooManyBoxesAndMissingBlocks() throws IOException {
        StringBuilder sb = new StringBuilder("\"tokA\": [");
        for (int i = 0; i < 501; i++) {
            sb.append(i == 0 ? "" : ", ").append(box("tokA"));
        }
        InputFormatException e = fails(sb.append("]").toString());
        assertTrue(e.getMessage().contains("more than 500"), e.getMessage());

        Path p = write("{\"results\": {}}");
        assertEquals("meta", assertThrows(InputFormatException.class, () -> ResultsReader.read(p)).field());
        Path q = write("{" + META + "}");
        assertEquals("results", assertThrows(InputFormatException.class, () -> ResultsReader.read(q)).field());
    }
}
