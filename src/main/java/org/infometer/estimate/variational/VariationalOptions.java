package org.infometer.estimate.variational;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The {@code estimator.options} of {@code mine} and {@code infonce}, validated before Spark reads data. Every
 * option is optional; {@code seed} defaults to the job's {@code estimator.seed}.
 *
 * @param maxTokensPerFold bound of the per-(run, fold) training subsample gathered from the executors
 */
public record VariationalOptions(int hiddenUnits, int hiddenLayers, int steps, int batchSize, double learningRate,
                                 double emaRate, int maxTokensPerFold, Long seed) implements Serializable {

    public static final List<String> KNOWN = List.of("hiddenUnits", "hiddenLayers", "steps", "batchSize",
            "learningRate", "emaRate", "maxTokensPerFold", "seed");

    public static final VariationalOptions DEFAULTS = new VariationalOptions(64, 1, 1000, 128, 2e-3, 0.01, 4096,
            null);

    /** Parses and range-checks the options; unknown keys are refused by the spec before this runs. */
    public static VariationalOptions parse(Map<String, Object> o) {
        VariationalOptions d = DEFAULTS;
        if (o == null || o.isEmpty()) {
            return d;
        }
        return new VariationalOptions(
                intIn(o, "hiddenUnits", d.hiddenUnits, 1, 4096),
                intIn(o, "hiddenLayers", d.hiddenLayers, 1, 4),
                intIn(o, "steps", d.steps, 1, 1_000_000),
                intIn(o, "batchSize", d.batchSize, 2, 4096),
                doubleIn(o, "learningRate", d.learningRate, 0, 1),
                doubleIn(o, "emaRate", d.emaRate, 0, 1),
                intIn(o, "maxTokensPerFold", d.maxTokensPerFold, 16, 2_000_000),
                o.containsKey("seed") ? (long) wholeNumber(o, "seed") : null);
    }

    CriticConfig critic(long jobSeed) {
        return new CriticConfig(hiddenUnits, hiddenLayers, steps, batchSize, learningRate, emaRate,
                seed == null ? jobSeed : seed);
    }

    private static int intIn(Map<String, Object> o, String key, int dflt, int min, int max) {
        if (!o.containsKey(key)) {
            return dflt;
        }
        double v = wholeNumber(o, key);
        if (v < min || v > max) {
            throw invalid(key + " must be in [" + min + ", " + max + "], got " + o.get(key));
        }
        return (int) v;
    }

    /** In (min, max]. */
    private static double doubleIn(Map<String, Object> o, String key, double dflt, double min, double max) {
        if (!o.containsKey(key)) {
            return dflt;
        }
        double v = number(o, key);
        if (!(v > min && v <= max)) {
            throw invalid(key + " must be in (" + min + ", " + max + "], got " + o.get(key));
        }
        return v;
    }

    private static double wholeNumber(Map<String, Object> o, String key) {
        double d = number(o, key);
        if (d != Math.rint(d) || Math.abs(d) > 0x1p53) {
            throw invalid(key + " must be a whole number, got " + o.get(key));
        }
        return d;
    }

    private static double number(Map<String, Object> o, String key) {
        Object v = o.get(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw invalid(key + " must be a number, got '" + s + "'");
            }
        }
        throw invalid(key + " must be a number, got " + v);
    }

    private static IllegalArgumentException invalid(String message) {
        return new IllegalArgumentException("Invalid job config: estimator.options: " + message);
    }
}
