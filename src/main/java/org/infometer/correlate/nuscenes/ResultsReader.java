package org.infometer.correlate.nuscenes;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a nuScenes detection results submission:
 * {@code {"meta": {...}, "results": {sample_token: [box, ...], ...}}}.
 *
 * <p>Usage: {@code Submission s = ResultsReader.read(path);} for files that fit in memory, or
 * {@code ResultsReader.stream(path, visitor)} to receive one sample at a time (a val submission holds
 * millions of boxes). Each box gets its sample's position in the file and its own position in the list, which
 * break exact score ties the way the devkit does.
 *
 * <p>Checks what the devkit's loader checks, and says where: every box field present; translation, size
 * (3) and rotation (4) finite numbers; velocity two numbers, NaN allowed; a known detection_name; a
 * detection_score that is a non-NaN float (the devkit refuses integers); a known attribute_name or "";
 * at most 500 boxes per sample. Also refused, because the devkit would silently misuse them: a box whose
 * sample_token differs from the key it is listed under, and a sample listed twice. Errors are
 * {@link InputFormatException}s naming the file, the sample token, the box and the field.
 */
public final class ResultsReader {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private ResultsReader() {
    }

    /** The {@code meta} block; a field is null when the file omits it. */
    public record Meta(Boolean useCamera, Boolean useLidar, Boolean useRadar, Boolean useMap, Boolean useExternal) {
    }

    /** A whole submission, samples in file order. */
    public record Submission(String source, Meta meta, Map<String, List<PredBox>> results) {

        public int boxCount() {
            return results.values().stream().mapToInt(List::size).sum();
        }
    }

    /** Receives a submission piece by piece; {@code meta} may come before or after the samples. */
    public interface Visitor {
        void meta(Meta meta);

        void sample(String sampleToken, int sampleIndex, List<PredBox> boxes);
    }

    public static Submission read(Path file) {
        Map<String, List<PredBox>> results = new LinkedHashMap<>();
        Meta[] meta = new Meta[1];
        stream(file, new Visitor() {
            @Override
            public void meta(Meta m) {
                meta[0] = m;
            }

            @Override
            public void sample(String token, int index, List<PredBox> boxes) {
                results.put(token, boxes);
            }
        });
        return new Submission(file.toString(), meta[0], results);
    }

    public static void stream(Path file, Visitor visitor) {
        String src = file.toString();
        if (!Files.exists(file)) {
            throw new InputFormatException(src, "", "file does not exist", new NoSuchFileException(src));
        }
        boolean sawMeta = false;
        boolean sawResults = false;
        try (JsonParser p = MAPPER.createParser(file.toFile())) {
            expect(p.nextToken(), JsonToken.START_OBJECT, src, "", "a JSON object at the top level");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.getCurrentName();
                JsonToken value = p.nextToken();
                if ("meta".equals(name)) {
                    sawMeta = true;
                    visitor.meta(meta(p.readValueAsTree(), src));
                } else if ("results".equals(name)) {
                    sawResults = true;
                    expect(value, JsonToken.START_OBJECT, src, "results", "an object of sample_token -> list of boxes");
                    readResults(p, src, visitor);
                } else {
                    p.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            throw new InputFormatException(src, "", "not valid JSON (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + "): " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + src, e);
        }
        if (!sawMeta) {
            throw new InputFormatException(src, "meta", "missing");
        }
        if (!sawResults) {
            throw new InputFormatException(src, "results", "missing");
        }
    }

    private static void readResults(JsonParser p, String src, Visitor visitor) throws IOException {
        Set<String> seen = new HashSet<>();
        int sampleIndex = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String token = p.getCurrentName();
            String path = "results." + token;
            if (!seen.add(token)) {
                throw new InputFormatException(src, path, "sample " + token + " is listed twice");
            }
            expect(p.nextToken(), JsonToken.START_ARRAY, src, path, "a list of boxes");
            List<PredBox> boxes = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                int boxIndex = boxes.size();
                if (boxIndex >= DetectionConfig.MAX_BOXES_PER_SAMPLE) {
                    throw new InputFormatException(src, path, "sample " + token + " has more than "
                            + DetectionConfig.MAX_BOXES_PER_SAMPLE + " boxes, the most the protocol allows");
                }
                JsonNode box = p.readValueAsTree();
                boxes.add(box(box, token, sampleIndex, boxIndex, src));
            }
            visitor.sample(token, sampleIndex, boxes);
            sampleIndex++;
        }
    }

    private static PredBox box(JsonNode n, String token, int sampleIndex, int boxIndex, String src) {
        String path = "results." + token + "[" + boxIndex + "]";
        if (n == null || !n.isObject()) {
            throw new InputFormatException(src, path, "expected a box object, found "
                    + MetricsSummaryReader.describe(n));
        }
        String boxToken = text(n, "sample_token", path, src);
        if (!token.equals(boxToken)) {
            throw new InputFormatException(src, path + ".sample_token", "box says sample " + boxToken
                    + " but is listed under sample " + token);
        }
        double[] translation = vector(n, "translation", 3, false, path, src);
        double[] size = vector(n, "size", 3, false, path, src);
        double[] rotation = vector(n, "rotation", 4, false, path, src);
        double[] velocity = vector(n, "velocity", 2, true, path, src);
        String name = text(n, "detection_name", path, src);
        DetectionClass cls = DetectionClass.fromNameOrNull(name);
        if (cls == null) {
            throw new InputFormatException(src, path + ".detection_name", "unknown class '" + name + "'");
        }
        JsonNode score = n.get("detection_score");
        if (score == null) {
            throw new InputFormatException(src, path + ".detection_score", "missing");
        }
        if (!score.isFloatingPointNumber()) {
            throw new InputFormatException(src, path + ".detection_score", "expected a float (the devkit refuses "
                    + "integers), found " + MetricsSummaryReader.describe(score));
        }
        if (Double.isNaN(score.doubleValue()) || Double.isInfinite(score.doubleValue())) {
            throw new InputFormatException(src, path + ".detection_score", "must be finite, found " + score);
        }
        String attribute = text(n, "attribute_name", path, src);
        if (!DetectionClass.isValidAttribute(attribute)) {
            throw new InputFormatException(src, path + ".attribute_name", "unknown attribute '" + attribute + "'");
        }
        return new PredBox(token, sampleIndex, boxIndex, translation, size, rotation, velocity, cls,
                score.doubleValue(), attribute);
    }

    private static String text(JsonNode n, String field, String path, String src) {
        JsonNode v = n.get(field);
        if (v == null) {
            throw new InputFormatException(src, path + "." + field, "missing");
        }
        if (!v.isTextual()) {
            throw new InputFormatException(src, path + "." + field, "expected a string, found "
                    + MetricsSummaryReader.describe(v));
        }
        return v.textValue();
    }

    private static double[] vector(JsonNode n, String field, int length, boolean nanAllowed, String path,
            String src) {
        JsonNode v = n.get(field);
        String where = path + "." + field;
        if (v == null) {
            throw new InputFormatException(src, where, "missing");
        }
        if (!v.isArray() || v.size() != length) {
            throw new InputFormatException(src, where, "expected a list of " + length + " numbers, found "
                    + MetricsSummaryReader.describe(v));
        }
        double[] out = new double[length];
        for (int i = 0; i < length; i++) {
            JsonNode e = v.get(i);
            if (!e.isNumber()) {
                throw new InputFormatException(src, where + "[" + i + "]", "expected a number, found "
                        + MetricsSummaryReader.describe(e));
            }
            out[i] = e.doubleValue();
            if (Double.isInfinite(out[i]) || (!nanAllowed && Double.isNaN(out[i]))) {
                throw new InputFormatException(src, where + "[" + i + "]", "must be finite, found " + e);
            }
        }
        return out;
    }

    private static Meta meta(JsonNode n, String src) {
        if (n == null || !n.isObject()) {
            throw new InputFormatException(src, "meta", "expected an object, found " + MetricsSummaryReader.describe(n));
        }
        return new Meta(flag(n, "use_camera", src), flag(n, "use_lidar", src), flag(n, "use_radar", src),
                flag(n, "use_map", src), flag(n, "use_external", src));
    }

    private static Boolean flag(JsonNode meta, String field, String src) {
        JsonNode v = meta.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw new InputFormatException(src, "meta." + field, "expected true or false, found "
                    + MetricsSummaryReader.describe(v));
        }
        return v.booleanValue();
    }

    private static void expect(JsonToken actual, JsonToken expected, String src, String field, String what) {
        if (actual != expected) {
            throw new InputFormatException(src, field, "expected " + what + ", found " + actual);
        }
    }
}
