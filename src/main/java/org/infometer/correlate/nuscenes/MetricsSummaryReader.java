package org.infometer.correlate.nuscenes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the devkit's {@code metrics_summary.json} into {@link RunMetrics}.
 *
 * <p>Usage: {@code RunMetrics m = MetricsSummaryReader.read(Path.of("out/metrics_summary.json"));}
 *
 * <p>Python's json writes NaN (and infinities) as bare tokens, which strict JSON forbids; they are accepted
 * here. Required: {@code mean_ap}, {@code nd_score}, {@code label_aps}, {@code tp_errors}; read when present:
 * {@code mean_dist_aps}, {@code label_tp_errors}, {@code tp_scores}, {@code eval_time}. Anything malformed
 * raises an {@link InputFormatException} naming the file and the dotted field path.
 */
public final class MetricsSummaryReader {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private MetricsSummaryReader() {
    }

    public static RunMetrics read(Path file) {
        String content;
        try {
            content = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InputFormatException(file.toString(), "", "file does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return parse(content, file.toString());
    }

    /** Parses file content; {@code source} names it in errors. */
    public static RunMetrics parse(String content, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(content);
        } catch (JsonProcessingException e) {
            throw new InputFormatException(source, "", "not valid JSON (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + "): " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new InputFormatException(source, "", "expected a JSON object at the top level");
        }
        double meanAp = number(root, "mean_ap", source, "mean_ap", true);
        double nds = number(root, "nd_score", source, "nd_score", true);
        Map<String, Map<String, Double>> labelAps = nested(root, "label_aps", source, true);
        Map<String, Double> tpErrors = flat(root, "tp_errors", source, true);
        for (String key : tpErrors.keySet()) {
            try {
                TpMetric.fromKey(key);
            } catch (IllegalArgumentException e) {
                throw new InputFormatException(source, "tp_errors." + key, "unknown TP metric", e);
            }
        }
        Map<String, Double> meanDistAps = flat(root, "mean_dist_aps", source, false);
        Map<String, Map<String, Double>> labelTp = nested(root, "label_tp_errors", source, false);
        Map<String, Double> tpScores = flat(root, "tp_scores", source, false);
        double evalTime = root.has("eval_time") ? number(root, "eval_time", source, "eval_time", false) : Double.NaN;
        return new RunMetrics(source, meanAp, nds, labelAps, meanDistAps, labelTp, tpErrors, tpScores, evalTime);
    }

    private static double number(JsonNode parent, String name, String source, String path, boolean required) {
        JsonNode n = parent.get(name);
        if (n == null || n.isMissingNode()) {
            if (required) {
                throw new InputFormatException(source, path, "missing");
            }
            return Double.NaN;
        }
        if (!n.isNumber()) {
            throw new InputFormatException(source, path, "expected a number, found " + describe(n));
        }
        return n.doubleValue();
    }

    private static Map<String, Double> flat(JsonNode root, String name, String source, boolean required) {
        JsonNode n = object(root, name, source, required);
        Map<String, Double> out = new LinkedHashMap<>();
        if (n == null) {
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), number(n, e.getKey(), source, name + "." + e.getKey(), true));
        }
        return out;
    }

    private static Map<String, Map<String, Double>> nested(JsonNode root, String name, String source,
            boolean required) {
        JsonNode n = object(root, name, source, required);
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        if (n == null) {
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = name + "." + e.getKey();
            if (!e.getValue().isObject()) {
                throw new InputFormatException(source, path, "expected an object, found " + describe(e.getValue()));
            }
            Map<String, Double> inner = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it2 = e.getValue().fields(); it2.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it2.next();
                inner.put(f.getKey(), number(e.getValue(), f.getKey(), source, path + "." + f.getKey(), true));
            }
            out.put(e.getKey(), inner);
        }
        return out;
    }

    private static JsonNode object(JsonNode root, String name, String source, boolean required) {
        JsonNode n = root.get(name);
        if (n == null) {
            if (required) {
                throw new InputFormatException(source, name, "missing");
            }
            return null;
        }
        if (!n.isObject()) {
            throw new InputFormatException(source, name, "expected an object, found " + describe(n));
        }
        return n;
    }

    static String describe(JsonNode n) {
        String text = n.toString();
        if (text.length() > 40) {
            text = text.substring(0, 37) + "...";
        }
        return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + text;
    }
}
