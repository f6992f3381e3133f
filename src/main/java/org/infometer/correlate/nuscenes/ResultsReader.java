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
 * <p>Reads boxes as the devkit's {@code DetectionBox.deserialize} and {@code EvalBox} checks do
 * (python-sdk/nuscenes/eval/detection/data_classes.py, eval/common/data_classes.py), and says where a box
 * breaks them: every box field present; translation, size (3) and rotation (4) non-NaN numbers; velocity two
 * numbers, NaN allowed; a known detection_name; a known attribute_name or ""; at most 500 boxes per sample
 * (loaders.load_prediction, counted before any filter). Where the devkit converts:
 * <ul>
 *   <li>{@code detection_score} goes through Python {@code float()}: an integer is accepted as that float, a
 *       missing score is -1.0, NaN is refused. ±Infinity, which the devkit accepts, is refused here (the
 *       message says so), and so is a string or boolean, which its {@code float()} would also convert;</li>
 *   <li>{@code num_pts}, optional, goes through Python {@code int()} (truncation) and
 *       {@code loaders.filter_eval_boxes} drops every box, prediction or ground truth, with
 *       {@code num_pts == 0}: such predictions are dropped here too (counted in
 *       {@link Submission#zeroPointBoxes()}); a negative or positive count keeps the box;</li>
 *   <li>an infinite translation, size, rotation or velocity component passes the devkit's NaN checks; it is
 *       refused here, with a message saying what the devkit would do.</li>
 * </ul>
 * Also refused, because the devkit would silently misuse them: a box whose sample_token differs from the key it
 * is listed under, and a sample listed twice. Errors are {@link InputFormatException}s naming the file, the
 * sample token, the box and the field.
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

    /**
     * A whole submission, samples in file order; {@code zeroPointBoxes} predictions carried {@code num_pts: 0}
     * and were dropped, as the devkit's filter drops them.
     */
    public record Submission(String source, Meta meta, Map<String, List<PredBox>> results, int zeroPointBoxes) {

        public int boxCount() {
            return results.values().stream().mapToInt(List::size).sum();
        }
    }

    /** Receives a submission piece by piece; {@code meta} may come before or after the samples. */
    public interface Visitor {
        void meta(Meta meta);

        /** One sample's boxes, without those the devkit's point filter drops (their box indices are kept). */
        void sample(String sampleToken, int sampleIndex, List<PredBox> boxes);

        /** A prediction with {@code num_pts: 0}, dropped as the devkit's {@code filter_eval_boxes} drops it. */
        default void zeroPointBox(String sampleToken, int boxIndex) {
        }
    }

    public static Submission read(Path file) {
        Map<String, List<PredBox>> results = new LinkedHashMap<>();
        Meta[] meta = new Meta[1];
        int[] zeroPoint = new int[1];
        stream(file, new Visitor() {
            @Override
            public void meta(Meta m) {
                meta[0] = m;
            }

            @Override
            public void sample(String token, int index, List<PredBox> boxes) {
                results.put(token, boxes);
            }

            @Override
            public void zeroPointBox(String token, int boxIndex) {
                zeroPoint[0]++;
            }
        });
        return new Submission(file.toString(), meta[0], results, zeroPoint[0]);
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
            int boxIndex = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (boxIndex >= DetectionConfig.MAX_BOXES_PER_SAMPLE) {
                    throw new InputFormatException(src, path, "sample " + token + " has more than "
                            + DetectionConfig.MAX_BOXES_PER_SAMPLE + " boxes, the most the protocol allows");
                }
                JsonNode box = p.readValueAsTree();
                PredBox b = box(box, token, sampleIndex, boxIndex, src);
                if (zeroPoints(box, "results." + token + "[" + boxIndex + "]", src)) {
                    visitor.zeroPointBox(token, boxIndex);
                } else {
                    boxes.add(b);
                }
                boxIndex++;
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
        double scoreValue;
        if (score == null) {
            scoreValue = MISSING_SCORE;
        } else if (!score.isNumber()) {
            throw new InputFormatException(src, path + ".detection_score", "expected a number, found "
                    + MetricsSummaryReader.describe(score) + " (the devkit passes it to Python float(), which would "
                    + "also convert a numeric string or a boolean; write the number itself)");
        } else {
            scoreValue = score.doubleValue();
            if (Double.isNaN(scoreValue)) {
                throw new InputFormatException(src, path + ".detection_score", "may not be NaN (the devkit refuses "
                        + "it too)");
            }
            if (Double.isInfinite(scoreValue)) {
                throw new InputFormatException(src, path + ".detection_score", "must be finite, found " + score
                        + " (the devkit accepts it and ranks the box first; its interpolated confidence curve "
                        + "then holds infinities, a case this evaluation is not checked against the devkit for)");
            }
        }
        String attribute = text(n, "attribute_name", path, src);
        if (!DetectionClass.isValidAttribute(attribute)) {
            throw new InputFormatException(src, path + ".attribute_name", "unknown attribute '" + attribute + "'");
        }
        return new PredBox(token, sampleIndex, boxIndex, translation, size, rotation, velocity, cls,
                scoreValue, attribute);
    }

    /**
     * The devkit's {@code DetectionEval} asserts that the submission lists exactly the split's samples
     * ({@code set(pred_boxes.sample_tokens) == set(gt_boxes.sample_tokens)}, "Samples in split doesn't match
     * samples in predictions."), so a submission that leaves a sample out is refused, naming some of the missing
     * samples; so is one that lists samples outside the split, even with no boxes.
     */
    public static void checkCoversSplit(Submission s, java.util.Set<String> split) {
        List<String> missing = new ArrayList<>();
        for (String token : new java.util.TreeSet<>(split)) {
            if (!s.results().containsKey(token)) {
                missing.add(token);
            }
        }
        if (!missing.isEmpty()) {
            throw new InputFormatException(s.source(), "results", missing.size() + " of the " + split.size()
                    + " samples of the split are missing (e.g. " + String.join(", ", missing.subList(0,
                    Math.min(5, missing.size()))) + "); the devkit refuses such a submission (\"Samples in split "
                    + "doesn't match samples in predictions.\"): list every sample, with [] where it has no boxes");
        }
        List<String> extra = s.results().keySet().stream().filter(t -> !split.contains(t)).sorted().toList();
        if (!extra.isEmpty()) {
            throw new InputFormatException(s.source(), "results", extra.size() + " listed sample(s) are not in the "
                    + "split (e.g. " + String.join(", ", extra.subList(0, Math.min(5, extra.size()))) + "); the "
                    + "devkit refuses such a submission (\"Samples in split doesn't match samples in predictions.\")");
        }
    }

    /** The evaluated split: the sample tokens of the ground truth and, when given, of the samples table. */
    public static java.util.Set<String> splitTokens(org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> gt,
                                                    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> samples) {
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> tokens = gt.select("sample_token");
        if (samples != null) {
            tokens = tokens.union(samples.select("sample_token"));
        }
        java.util.Set<String> out = new java.util.HashSet<>();
        for (org.apache.spark.sql.Row r : tokens.distinct().collectAsList()) {
            if (!r.isNullAt(0)) {
                out.add(r.getString(0));
            }
        }
        return out;
    }

    /** The devkit's score for a box without {@code detection_score} (DetectionBox.deserialize). */
    public static final double MISSING_SCORE = -1.0;

    /**
     * Whether a box carries {@code num_pts} that the devkit reads as 0 ({@code int(num_pts) == 0}; Python's int()
     * truncates toward zero). Values the devkit's int() would fail on, or convert from a string or boolean, are
     * refused naming the field.
     */
    private static boolean zeroPoints(JsonNode n, String path, String src) {
        JsonNode v = n.get("num_pts");
        if (v == null) {
            return false;
        }
        String where = path + ".num_pts";
        if (!v.isNumber()) {
            throw new InputFormatException(src, where, "expected a whole number, found "
                    + MetricsSummaryReader.describe(v) + " (the devkit passes it to Python int(), which would also "
                    + "convert a string of digits or a boolean; write the number itself)");
        }
        if (v.isIntegralNumber()) {
            return v.bigIntegerValue().signum() == 0;
        }
        double d = v.doubleValue();
        if (!Double.isFinite(d)) {
            throw new InputFormatException(src, where, "must be a finite number, found " + v + " (the devkit's "
                    + "int() fails on it too)");
        }
        return (long) d == 0;
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
            if (!nanAllowed && Double.isNaN(out[i])) {
                throw new InputFormatException(src, where + "[" + i + "]", "may not be NaN (the devkit refuses it "
                        + "too), found " + e);
            }
            if (Double.isInfinite(out[i])) {
                throw new InputFormatException(src, where + "[" + i + "]", "must be finite, found " + e
                        + (nanAllowed ? " (the devkit accepts an infinite velocity - it checks only the length - "
                        + "and a matched box then makes its class's velocity error and the run's mAVE Infinity, "
                        + "so the velocity term of NDS becomes 0; use NaN for a velocity not predicted)"
                        : " (the devkit checks only for NaN; an infinite coordinate makes its distances and "
                        + "errors infinite)"));
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
