package org.infometer.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;

import org.infometer.estimate.EstimatorSpec;
import org.infometer.estimate.registry.Estimators;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A measurement job as users submit it: a JSON file under {@code jobs/} plus {@code --set path=value}
 * overrides. Every cross-field rule is checked when the config is built, so a bad job fails before Spark starts.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record JobConfig(String name, Input input, Pair pair, Estimator estimator, Validation validation,
                        Output output, String groundTruth, String runDate, Pid pid, ChannelMi channelMi,
                        Drift drift)
        implements Serializable {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");
    public static final ObjectMapper JSON = strictMapper();

    /**
     * Jackson by default reads {@code "folds": 5.7} as 5, {@code "folds": "5"} as 5 and a null as 0: a job file
     * with such a value would run with a setting nobody wrote. These coercions are refused; numbers written as
     * numbers, and {@code --set} values (parsed as JSON first), are unaffected.
     */
    private static ObjectMapper strictMapper() {
        ObjectMapper m = new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        for (LogicalType t : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            m.coercionConfigFor(t).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        return m;
    }

    /**
     * A job file that Jackson cannot bind, as one line naming the field by its dotted path, what it expects and
     * the value found ({@code tree} is the merged job the binding read).
     */
    static String bindingError(IOException e, JsonNode tree) {
        if (e.getCause() instanceof IllegalArgumentException iae) {
            return iae.getMessage();
        }
        if (!(e instanceof JsonMappingException jm) || jm.getPath().isEmpty()) {
            return String.valueOf(e.getMessage()).split("\n")[0];
        }
        StringBuilder path = new StringBuilder();
        JsonNode found = tree;
        for (JsonMappingException.Reference r : jm.getPath()) {
            if (r.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
                found = found == null ? null : found.get(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
                found = found == null ? null : found.get(r.getIndex());
            }
        }
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + path + "'" + (u.getKnownPropertyIds() == null ? ""
                    : " (known fields here: " + u.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                    .collect(java.util.stream.Collectors.joining(", ")) + ")");
        }
        String expected = "a value Jackson could not bind";
        if (e instanceof MismatchedInputException mi && mi.getTargetType() != null) {
            Class<?> t = mi.getTargetType();
            expected = t == int.class || t == Integer.class || t == long.class || t == Long.class ? "a whole number"
                    : t == double.class || t == Double.class ? "a number"
                    : t == boolean.class || t == Boolean.class ? "true or false"
                    : t == String.class ? "a string"
                    : java.util.List.class.isAssignableFrom(t) ? "a list"
                    : java.util.Map.class.isAssignableFrom(t) || t.isRecord() ? "an object" : t.getSimpleName();
        }
        return "field '" + path + "' must be " + expected + ", got " + (found == null ? "nothing" : found);
    }

    /**
     * Where the features are and how to split them into tasks; {@code cache} (default true): keep what the apply
     * pass needs on the executors between the fit and apply passes (the Gaussian job: each sample's moments, in
     * memory where they fit, else on local disk; the others: the feature rows in memory where they fit, partitions
     * that do not fit are read again). Off, the apply pass reads the input again (the same results).
     */
    public record Input(String features, Integer repartition, Boolean cache) implements Serializable {

        /** Whether passes after the first read the rows from memory ({@code cache}, default true). */
        public boolean keepInMemory() {
            return cache == null || cache;
        }
    }

    /** The two modality columns to analyse; any columns following the features contract work. */
    public record Pair(String x, String y) implements Serializable {
    }

    /**
     * The entropy model. {@code name}: a registered estimator (gaussian, flow); {@code granularity}: one it
     * supports (token; map for flow); {@code folds}: cross-fitting folds (3 to 20); {@code seed}: the root of
     * every seed in the job; {@code options}: estimator-specific settings (validated by the estimator).
     */
    public record Estimator(String name, String granularity, int folds, long seed, Map<String, Object> options)
            implements Serializable {
    }

    /**
     * Partial information decomposition settings: the target column, the k-means cluster counts per modality (the
     * first is the main one, the others show sensitivity to k), PCA dimensions kept before clustering, how many
     * token vectors fit the discretiser, bootstrap replicates and the interval level, and the fewest samples a
     * scene needs for its own decomposition.
     */
    public record Pid(String target, List<Integer> k, int pcaDims, int fitTokens, int bootstrap, double ciLevel,
                      int minSceneSamples) implements Serializable {
    }

    /**
     * The channel_mi table (cross-fitted Gaussian MI of every channel pair): on by default; off, the job writes no
     * channel_mi rows for its date (and, for estimators whose fit pass makes no token moments, saves that pass).
     */
    public record ChannelMi(boolean enabled) implements Serializable {
    }

    /**
     * Nightly drift check: each run's MI on the run date against the mean of its {@code previousDates} earlier
     * dates; an alert when |z| exceeds {@code zThreshold}.
     */
    public record Drift(int previousDates, double zThreshold) implements Serializable {
    }

    /** Largest fraction of input rows that may be quarantined before the run fails. */
    public record Validation(double maxRejectedFraction) implements Serializable {
    }

    /** Iceberg catalog name and warehouse, the namespace of the tables, and where JSON summaries go. */
    public record Output(String catalog, String warehouse, String namespace, String summaryDir)
            implements Serializable {
    }

    public JobConfig {
        require(name != null && NAME.matcher(name).matches(),
                "name must be letters, digits, '_', '.', '-' (it names the job's partition), got " + name);
        require(input != null && input.features() != null && !input.features().isBlank(),
                "input.features must name the features table path");
        require(input.repartition() == null || input.repartition() > 0, "input.repartition must be positive");
        require(pair != null && pair.x() != null && pair.y() != null, "pair.x and pair.y must name modality columns");
        require(!pair.x().equals(pair.y()), "pair.x and pair.y must differ, both are " + pair.x());
        require(estimator != null, "estimator is required");
        EstimatorSpec spec = Estimators.find(estimator.name());
        require(spec != null, "estimator.name must be " + String.join(" or ", Estimators.names()) + ", got "
                + estimator.name());
        require(spec.granularities().contains(estimator.granularity()), "the " + estimator.name()
                + " estimator works at " + String.join(" or ", spec.granularities()) + " granularity, got "
                + estimator.granularity());
        require(estimator.folds() >= 3 && estimator.folds() <= 20,
                "estimator.folds must be between 3 and 20 (cross-fitting with inner selection), got "
                        + estimator.folds());
        require(validation != null && validation.maxRejectedFraction() >= 0 && validation.maxRejectedFraction() <= 1,
                "validation.maxRejectedFraction must be in [0, 1]");
        require(output != null && output.catalog() != null && output.warehouse() != null
                && output.namespace() != null && output.summaryDir() != null,
                "output.catalog, output.warehouse, output.namespace and output.summaryDir are required");
        require(pid != null && pid.target() != null && pid.k() != null && !pid.k().isEmpty(),
                "pid.target and pid.k (a non-empty list of cluster counts) are required");
        require(pid.k().stream().allMatch(k -> k >= 2 && k <= 256), "pid.k values must be between 2 and 256");
        require(pid.pcaDims() >= 1 && pid.fitTokens() >= 100 && pid.bootstrap() >= 0 && pid.minSceneSamples() >= 1
                        && pid.ciLevel() > 0 && pid.ciLevel() < 1,
                "pid.pcaDims >= 1, pid.fitTokens >= 100, pid.bootstrap >= 0, pid.minSceneSamples >= 1, "
                        + "0 < pid.ciLevel < 1");
        require(channelMi != null, "channelMi must be an object like {\"enabled\": true}");
        require(drift != null && drift.previousDates() >= 1 && drift.previousDates() <= 365,
                "drift.previousDates must be between 1 and 365, got " + (drift == null ? null : drift.previousDates()));
        require(drift.zThreshold() > 0 && Double.isFinite(drift.zThreshold()),
                "drift.zThreshold must be a positive number, got " + drift.zThreshold());
        require(runDate != null && runDate.matches("\\d{4}-\\d{2}-\\d{2}"),
                "runDate must be YYYY-MM-DD (set --run-date; it defaults to today in UTC), got " + runDate);
        try {
            LocalDate.parse(runDate);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("Invalid job config: runDate " + runDate + " is not a date");
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("Invalid job config: " + message);
        }
    }

    public LocalDate date() {
        return LocalDate.parse(runDate);
    }

    public String table(String table) {
        return output.catalog() + "." + output.namespace() + "." + table;
    }

    /** Reads a job file, applies {@code path=value} overrides (dotted paths into the JSON), then validates. */
    public static JobConfig load(Path file, List<String> overrides, LocalDate runDate) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read job file " + file + ": " + e.getMessage(), e);
        }
        return fromTree((ObjectNode) root, overrides, runDate, file.toString());
    }

    public static JobConfig fromTree(ObjectNode root, List<String> overrides, LocalDate runDate, String source) {
        ObjectNode withDefaults = defaults();
        merge(withDefaults, root);
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("Override '" + o + "' must look like path.to.field=value");
            }
            set(withDefaults, o.substring(0, eq), o.substring(eq + 1));
        }
        if (runDate != null) {
            withDefaults.put("runDate", runDate.toString());
        } else if (!withDefaults.hasNonNull("runDate")) {
            withDefaults.put("runDate", LocalDate.now(java.time.ZoneOffset.UTC).toString());
        }
        try {
            return JSON.treeToValue(withDefaults, JobConfig.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("Job " + source + ": " + bindingError(e, withDefaults), e);
        }
    }

    private static ObjectNode defaults() {
        try {
            return (ObjectNode) JSON.readTree("""
                    {"name": "infometer",
                     "input": {"features": null},
                     "pair": {"x": "camera", "y": "lidar"},
                     "estimator": {"name": "gaussian", "granularity": "token", "folds": 5, "seed": 20240601,
                                   "options": {}},
                     "validation": {"maxRejectedFraction": 0.05},
                     "output": {"catalog": "im", "warehouse": "warehouse", "namespace": "infometer",
                                "summaryDir": "infometer-out"},
                     "groundTruth": null,
                     "pid": {"target": "target", "k": [16, 8, 32], "pcaDims": 8, "fitTokens": 20000,
                             "bootstrap": 100, "ciLevel": 0.95, "minSceneSamples": 8},
                     "channelMi": {"enabled": true},
                     "drift": {"previousDates": 7, "zThreshold": 3.0}}
                    """);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void merge(ObjectNode into, JsonNode from) {
        from.fields().forEachRemaining(e -> {
            JsonNode existing = into.get(e.getKey());
            if (existing instanceof ObjectNode obj && e.getValue().isObject() && !e.getKey().equals("options")) {
                merge(obj, e.getValue());
            } else {
                into.set(e.getKey(), e.getValue());
            }
        });
    }

    static void set(ObjectNode root, String path, String value) {
        String[] parts = path.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode next = node.get(parts[i]);
            if (!(next instanceof ObjectNode)) {
                next = node.putObject(parts[i]);
            }
            node = (ObjectNode) next;
        }
        String leaf = parts[parts.length - 1];
        JsonNode parsed;
        try {
            parsed = JSON.readTree(value);
        } catch (IOException e) {
            parsed = null;
        }
        if (parsed == null || parsed.isMissingNode() || (!parsed.isValueNode() && !parsed.isContainerNode())) {
            node.put(leaf, value);
        } else if (parsed.isTextual() || parsed.isNumber() || parsed.isBoolean() || parsed.isNull()
                || parsed.isContainerNode()) {
            node.set(leaf, parsed);
        } else {
            node.put(leaf, value);
        }
    }

    public String toJson() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
