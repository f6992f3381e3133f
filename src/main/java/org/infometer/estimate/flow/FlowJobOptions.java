package org.infometer.estimate.flow;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code estimator.options} of a job with {@code estimator.name = flow}, parsed and validated on the driver
 * before Spark reads any data. Every message names the option as it is written in the job file.
 *
 * <p>Options (all optional): {@code epochs}, {@code patience}, {@code batchSize}, {@code learningRate},
 * {@code flowSteps}, {@code hiddenUnits}, {@code convChannels}, {@code mixtureComponents}, {@code heldOutFraction},
 * {@code intraOpThreads}, {@code device} (auto | cpu | gpu | gpu:N) shape the {@link FlowConfig};
 * {@code maxTokensPerModel} bounds the training subsample of each (run, fold) model; {@code fitMode} is
 * {@code global} (one model per (run, fold) over the whole input) or {@code per-shard} (models per input
 * partition, run and fold; no model store); {@code modelStore} (a directory) with {@code storeMode} {@code save}
 * (fit and keep the models) or {@code load} (score with stored models, no fit), global mode only.
 *
 * @param config            the flow configuration (its device is the job's request; tasks resolve {@code auto})
 * @param maxTokensPerModel most training tokens per model (deterministic subsample beyond that)
 * @param modelStore        model store directory, or null
 * @param storeMode         {@code none}, {@code save} or {@code load}
 */
public record FlowJobOptions(FlowConfig config, int maxTokensPerModel, String fitMode, String modelStore,
        String storeMode) implements Serializable {

    static final List<String> KNOWN = List.of("epochs", "patience", "batchSize", "learningRate", "flowSteps",
            "hiddenUnits", "convChannels", "mixtureComponents", "heldOutFraction", "intraOpThreads", "device",
            "maxTokensPerModel", "fitMode", "modelStore", "storeMode");

    public static final int DEFAULT_MAX_TOKENS_PER_MODEL = 200_000;

    public static FlowJobOptions parse(FlowGranularity granularity, Map<String, Object> options) {
        Map<String, Object> o = options == null ? Map.of() : new TreeMap<>(options);
        for (String k : o.keySet()) {
            if (!KNOWN.contains(k)) {
                throw invalid("unknown option '" + k + "'; the flow estimator knows " + String.join(", ", KNOWN));
            }
        }
        FlowConfig.Builder b = FlowConfig.builder(granularity);
        if (o.containsKey("epochs")) {
            b.maxEpochs(intOpt(o, "epochs"));
        }
        if (o.containsKey("patience")) {
            b.patience(intOpt(o, "patience"));
        }
        if (o.containsKey("batchSize")) {
            b.batchSize(intOpt(o, "batchSize"));
        }
        if (o.containsKey("learningRate")) {
            b.learningRate(doubleOpt(o, "learningRate"));
        }
        if (o.containsKey("flowSteps")) {
            b.flowSteps(intOpt(o, "flowSteps"));
        }
        if (o.containsKey("hiddenUnits")) {
            b.hiddenUnits(intOpt(o, "hiddenUnits"));
        }
        if (o.containsKey("convChannels")) {
            b.convChannels(intOpt(o, "convChannels"));
        }
        if (o.containsKey("mixtureComponents")) {
            b.mixtureComponents(intOpt(o, "mixtureComponents"));
        }
        if (o.containsKey("heldOutFraction")) {
            b.heldOutFraction(doubleOpt(o, "heldOutFraction"));
        }
        if (o.containsKey("intraOpThreads")) {
            b.intraOpThreads(intOpt(o, "intraOpThreads"));
        }
        if (o.containsKey("device")) {
            b.device(stringOpt(o, "device"));
        }
        int maxTokens = o.containsKey("maxTokensPerModel") ? intOpt(o, "maxTokensPerModel")
                : DEFAULT_MAX_TOKENS_PER_MODEL;
        if (maxTokens < 2) {
            throw invalid("maxTokensPerModel must be at least 2, got " + maxTokens);
        }
        b.maxBufferTokens(maxTokens);
        FlowConfig config;
        try {
            config = b.build();
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage().replace("FlowConfig.maxEpochs", "epochs")
                    .replace("FlowConfig.maxBufferTokens", "maxTokensPerModel").replace("FlowConfig.", ""));
        }
        String fitMode = o.containsKey("fitMode") ? stringOpt(o, "fitMode").toLowerCase(Locale.ROOT) : "global";
        if (!fitMode.equals("global") && !fitMode.equals("per-shard")) {
            throw invalid("fitMode must be global or per-shard, got '" + fitMode + "'");
        }
        String store = o.containsKey("modelStore") ? stringOpt(o, "modelStore") : null;
        String mode = o.containsKey("storeMode") ? stringOpt(o, "storeMode").toLowerCase(Locale.ROOT) : null;
        if (store != null && store.isBlank()) {
            throw invalid("modelStore must name a directory");
        }
        if (store == null && mode != null && !mode.equals("none")) {
            throw invalid("storeMode " + mode + " needs modelStore (the directory of the stored models)");
        }
        if (store != null && mode == null) {
            throw invalid("modelStore is set; also set storeMode to save (fit and store the models) or load "
                    + "(score with the stored models)");
        }
        if (mode == null) {
            mode = "none";
        }
        if (!List.of("none", "save", "load").contains(mode)) {
            throw invalid("storeMode must be save or load, got '" + mode + "'");
        }
        if (mode.equals("none")) {
            store = null;
        }
        if (fitMode.equals("per-shard") && !mode.equals("none")) {
            throw invalid("storeMode " + mode + " needs fitMode global; fitMode per-shard fits its models inside "
                    + "each input partition and keeps none");
        }
        return new FlowJobOptions(config, maxTokens, fitMode, store, mode);
    }

    private static IllegalArgumentException invalid(String message) {
        return new IllegalArgumentException("Invalid job config: estimator.options: " + message);
    }

    private static String stringOpt(Map<String, Object> o, String key) {
        Object v = o.get(key);
        if (!(v instanceof String s)) {
            throw invalid(key + " must be a string, got " + v);
        }
        return s.trim();
    }

    private static int intOpt(Map<String, Object> o, String key) {
        double d = number(o, key);
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw invalid(key + " must be a whole number, got " + o.get(key));
        }
        return (int) d;
    }

    private static double doubleOpt(Map<String, Object> o, String key) {
        return number(o, key);
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
}
