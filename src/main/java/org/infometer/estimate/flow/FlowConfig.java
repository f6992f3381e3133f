package org.infometer.estimate.flow;

import java.io.Serializable;
import java.util.Locale;

/**
 * Everything that shapes a flow fit: architecture, optimisation, buffering and placement. Validated when built,
 * so a bad value fails on the driver with a message naming the field, not deep inside a Spark task.
 *
 * <p>Usage: {@code FlowConfig.builder(FlowGranularity.TOKEN).learningRate(2e-3).maxEpochs(40).build()}, then
 * hand it to {@link FlowTrainer#fit}. The record is stored in the model's JSON metadata, so a loaded model
 * knows how it was made.
 *
 * @param granularity       token (one observation per token) or map (one observation per sample)
 * @param flowSteps         number of (linear mixing, normalisation, coupling) steps
 * @param hiddenUnits       width of the token conditioner MLPs
 * @param convChannels      channels of the map conditioner convolutions
 * @param mixtureComponents Student-t components per dimension in the entropy model
 * @param scaleBound        bound on each coupling's log-scale, |s| <= scaleBound (tanh-bounded)
 * @param learningRate      Adam step size
 * @param maxEpochs         upper bound on passes over the training buffer
 * @param patience          epochs without held-out improvement before stopping
 * @param batchSize         observations per minibatch: tokens (token granularity) or samples (map granularity)
 * @param heldOutFraction   share of buffered samples held out for early stopping
 * @param maxBufferTokens   most tokens kept from the streamed partition (uniform reservoir subsample beyond that:
 *                          of tokens in token granularity, of whole samples in map granularity)
 * @param initObservations  tokens used for the data-dependent initialisation (whole samples holding about that
 *                          many tokens in map granularity)
 * @param intraOpThreads    PyTorch intra-op threads to set before fitting or scoring (process-wide); 0 leaves
 *                          the engine's setting alone. Default 1: Spark already runs one task per core, and
 *                          PyTorch's CPU kernels split reductions by the threads free at the moment, so two
 *                          concurrent tasks with several threads each can differ in the last bits
 * @param device            {@code auto} (GPU when DJL sees one), {@code cpu}, {@code gpu} or {@code gpu:N}
 */
public record FlowConfig(
        FlowGranularity granularity,
        int flowSteps,
        int hiddenUnits,
        int convChannels,
        int mixtureComponents,
        double scaleBound,
        double learningRate,
        int maxEpochs,
        int patience,
        int batchSize,
        double heldOutFraction,
        int maxBufferTokens,
        int initObservations,
        int intraOpThreads,
        String device) implements Serializable {

    public FlowConfig {
        if (granularity == null) {
            throw new IllegalArgumentException("FlowConfig.granularity must be set (token or map)");
        }
        requireRange("flowSteps", flowSteps, 1, 64);
        requireRange("hiddenUnits", hiddenUnits, 1, 8192);
        requireRange("convChannels", convChannels, 1, 1024);
        requireRange("mixtureComponents", mixtureComponents, 1, 256);
        if (!(scaleBound > 0 && scaleBound <= 10)) {
            throw new IllegalArgumentException(fmt("FlowConfig.scaleBound must be in (0, 10], got %s", scaleBound));
        }
        if (!(learningRate > 0 && learningRate <= 1)) {
            throw new IllegalArgumentException(
                    fmt("FlowConfig.learningRate must be in (0, 1], got %s", learningRate));
        }
        requireRange("maxEpochs", maxEpochs, 1, 100_000);
        requireRange("patience", patience, 1, 100_000);
        requireRange("batchSize", batchSize, 1, 1 << 24);
        if (!(heldOutFraction > 0 && heldOutFraction <= 0.5)) {
            throw new IllegalArgumentException(
                    fmt("FlowConfig.heldOutFraction must be in (0, 0.5], got %s", heldOutFraction));
        }
        requireRange("maxBufferTokens", maxBufferTokens, 2, Integer.MAX_VALUE);
        requireRange("initObservations", initObservations, 2, 1 << 24);
        requireRange("intraOpThreads", intraOpThreads, 0, 4096);
        if (device == null || !validDevice(device)) {
            throw new IllegalArgumentException("FlowConfig.device must be auto, cpu, gpu or gpu:N, got '"
                    + device + "'");
        }
    }

    public static Builder builder(FlowGranularity granularity) {
        return new Builder(granularity);
    }

    public Builder toBuilder() {
        return new Builder(granularity).flowSteps(flowSteps).hiddenUnits(hiddenUnits).convChannels(convChannels)
                .mixtureComponents(mixtureComponents).scaleBound(scaleBound).learningRate(learningRate)
                .maxEpochs(maxEpochs).patience(patience).batchSize(batchSize).heldOutFraction(heldOutFraction)
                .maxBufferTokens(maxBufferTokens).initObservations(initObservations)
                .intraOpThreads(intraOpThreads).device(device);
    }

    private static boolean validDevice(String d) {
        String s = d.trim().toLowerCase(Locale.ROOT);
        return s.equals("auto") || s.equals("cpu") || s.equals("gpu") || s.matches("gpu:\\d+");
    }

    private static void requireRange(String name, long value, long lo, long hi) {
        if (value < lo || value > hi) {
            throw new IllegalArgumentException(fmt("FlowConfig.%s must be in [%d, %d], got %d", name, lo, hi, value));
        }
    }

    private static String fmt(String f, Object... args) {
        return String.format(Locale.ROOT, f, args);
    }

    /** Defaults suit 4 to 512 channels per modality on CPU; every field can be overridden. */
    public static final class Builder {
        private final FlowGranularity granularity;
        private int flowSteps = 4;
        private int hiddenUnits = 64;
        private int convChannels = 16;
        private int mixtureComponents = 8;
        private double scaleBound = 2.0;
        private double learningRate = 2e-3;
        private int maxEpochs = 50;
        private int patience = 5;
        private int batchSize;
        private double heldOutFraction = 0.15;
        private int maxBufferTokens = 262_144;
        private int initObservations = 4096;
        private int intraOpThreads = 1;
        private String device = "auto";

        Builder(FlowGranularity granularity) {
            this.granularity = granularity;
            this.batchSize = granularity == FlowGranularity.MAP ? 16 : 512;
        }

        public Builder flowSteps(int v) { flowSteps = v; return this; }
        public Builder hiddenUnits(int v) { hiddenUnits = v; return this; }
        public Builder convChannels(int v) { convChannels = v; return this; }
        public Builder mixtureComponents(int v) { mixtureComponents = v; return this; }
        public Builder scaleBound(double v) { scaleBound = v; return this; }
        public Builder learningRate(double v) { learningRate = v; return this; }
        public Builder maxEpochs(int v) { maxEpochs = v; return this; }
        public Builder patience(int v) { patience = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder heldOutFraction(double v) { heldOutFraction = v; return this; }
        public Builder maxBufferTokens(int v) { maxBufferTokens = v; return this; }
        public Builder initObservations(int v) { initObservations = v; return this; }
        public Builder intraOpThreads(int v) { intraOpThreads = v; return this; }
        public Builder device(String v) { device = v; return this; }

        public FlowConfig build() {
            return new FlowConfig(granularity, flowSteps, hiddenUnits, convChannels, mixtureComponents, scaleBound,
                    learningRate, maxEpochs, patience, batchSize, heldOutFraction, maxBufferTokens,
                    initObservations, intraOpThreads, device);
        }
    }
}
