package org.infometer.estimate.flow;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Fits a {@link FlowPairModel}: at token granularity its dependence flow ({@link DependenceFitter}); at map
 * granularity the three flows (X, Y and the concatenation (X, Y)) by maximum likelihood with
 * DJL's Adam on minibatches, keeping for each flow the parameters of the epoch with the lowest held-out
 * codelength (early stopping with patience).
 *
 * <p>Usage, inside {@code mapPartitions} on an executor:
 * <pre>{@code
 * Iterator<PairSample> samples = ...;              // decoded rows of one partition
 * try (FlowPairModel model = FlowTrainer.fit(samples, cx, cy, config, seedKey,
 *         (flow, epoch, train, held) -> log.info("{} epoch {} {} / {} bits/token", flow, epoch, train, held))) {
 *     FlowModelStore.save(model, dir, schemaFingerprint);
 * }
 * }</pre>
 *
 * <p>Determinism: every random choice (reservoir, held-out split, initialisation, minibatch order) comes from
 * {@code seedKey}, so on CPU the same stream in the same order with the same key and thread count gives
 * identical parameters and codelengths. GPU kernels may not be bitwise reproducible.
 *
 * <p>Concurrency: DJL's PyTorch gradient collector is process-wide (only one may be open at a time), so fits in
 * one JVM are serialised by a lock; concurrent tasks on one executor wait for each other's fits.
 */
public final class FlowTrainer {

    public static final ReentrantLock TRAINING_LOCK = new ReentrantLock();
    private static final double LN2 = Math.log(2);
    private static final double MIN_IMPROVEMENT_BITS = 1e-4;

    private FlowTrainer() {
    }

    /**
     * Buffers at most {@code config.maxBufferTokens()} tokens of {@code samples}, splits off the held-out slice
     * and fits the three flows. The returned model must be closed.
     *
     * <p>Buffering: token granularity keeps a uniform reservoir sample (Algorithm R) of tokens, map granularity
     * a reservoir of whole samples; the reservoir's random stream comes from {@code seedKey}, so a partition
     * streamed in the same order buffers the same tokens. The held-out slice ({@code heldOutFraction}) is chosen
     * per source sample, so the tokens of one sample never sit on both sides.
     *
     * @param samples   one partition's samples, consumed once
     * @param channelsX channels of every x map
     * @param channelsY channels of every y map
     * @param seedKey   stable key (e.g. a hash of job, estimator and partition) every random choice derives from
     * @param listener  per-epoch progress, or null
     */
    public static FlowPairModel fit(Iterator<PairSample> samples, int channelsX, int channelsY, FlowConfig config,
            long seedKey, FlowProgressListener listener) {
        if (channelsX <= 0 || channelsY <= 0) {
            throw new IllegalArgumentException("Channel counts must be positive, got channelsX=" + channelsX
                    + ", channelsY=" + channelsY);
        }
        TrainingBuffer buffer = new TrainingBuffer(config.granularity(), channelsX, channelsY,
                config.maxBufferTokens(), seedKey);
        buffer.addAll(samples);
        TrainingBuffer.Part[] parts = buffer.split(config.heldOutFraction(), seedKey);
        TrainingBuffer.Part train = parts[0];
        TrainingBuffer.Part held = parts[1];
        int rows = config.granularity() == FlowGranularity.TOKEN ? 1 : buffer.mapTokens();
        FlowProgressListener progress = listener == null ? FlowProgressListener.NONE : listener;

        Device device = FlowDevices.resolve(config.device());
        FlowEngine.applyThreads(config.intraOpThreads());
        if (config.granularity() == FlowGranularity.TOKEN) {
            DependenceFitter.Outcome o = DependenceFitter.fit(train, held, channelsX, channelsY, config, seedKey,
                    device, progress);
            FlowFitSummary summary = new FlowFitSummary(buffer.samplesSeen(), buffer.tokensSeen(),
                    buffer.samplesBuffered(), buffer.tokensBuffered(), train.count(), held.count(), 0,
                    Map.of("dependence", o.curve()), o.heldOutMiBits());
            return new FlowPairModel(config, seedKey, summary, o.model());
        }
        Map<String, FlowCurve> curves = new LinkedHashMap<>();
        List<FlowNet> nets = new ArrayList<>();
        TRAINING_LOCK.lock();
        try {
            nets.add(fitOne("x", channelsX, train.x(), train.count(), held.x(), held.count(), rows, config,
                    seedKey, device, progress, curves));
            nets.add(fitOne("y", channelsY, train.y(), train.count(), held.y(), held.count(), rows, config,
                    seedKey, device, progress, curves));
            int cxy = channelsX + channelsY;
            nets.add(fitOne("xy", cxy, TrainingBuffer.concatRows(train.x(), channelsX, train.y(), channelsY),
                    train.count(), TrainingBuffer.concatRows(held.x(), channelsX, held.y(), channelsY),
                    held.count(), rows, config, seedKey, device, progress, curves));
        } catch (RuntimeException e) {
            nets.forEach(FlowNet::close);
            throw e;
        } finally {
            TRAINING_LOCK.unlock();
        }
        FlowFitSummary summary = new FlowFitSummary(buffer.samplesSeen(), buffer.tokensSeen(),
                buffer.samplesBuffered(), buffer.tokensBuffered(), train.count(), held.count(), buffer.mapTokens(),
                curves);
        return new FlowPairModel(config, channelsX, channelsY, seedKey, summary, nets.get(0), nets.get(1),
                nets.get(2));
    }

    private static FlowNet fitOne(String name, int channels, float[] train, int nTrain, float[] held, int nHeld,
            int rows, FlowConfig config, long key, Device device, FlowProgressListener progress,
            Map<String, FlowCurve> curves) {
        long start = System.nanoTime();
        FlowSpec spec = FlowSpec.of(config, channels);
        long seed = FlowSeeds.derive(key, "flow-" + name);
        int obsSize = rows * channels;
        Data data = new Data(train, nTrain, held, nHeld, obsSize, rows, channels, config.granularity());
        List<FlowCurve.Epoch> epochs = new ArrayList<>();
        byte[] best = null;
        double bestHeld = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        String stop = "max-epochs";
        try (Model model = Model.newInstance("flow-" + name, device, FlowEngine.ENGINE_NAME)) {
            FlowBlock block = new FlowBlock(spec);
            model.setBlock(block);
            NDManager manager = model.getNDManager();
            FlowEngine.disableGrad();
            try (NDScope scope = new NDScope()) {
                // Map observations are whole samples, so the init budget is converted from tokens to samples.
                int nInit = Math.min(nTrain, Math.max(2, config.initObservations() / rows));
                int[] initOrder = permutation(nTrain, FlowSeeds.random(key, "init-" + name));
                block.initializeFromData(manager, data.batch(manager, train, initOrder, 0, nInit), seed);
                scope.suppressNotUsedWarning();
            }
            PlateauRate rate = new PlateauRate((float) config.learningRate());
            DefaultTrainingConfig tc = new DefaultTrainingConfig(new CodelengthLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(rate).build())
                    .optDevices(new Device[] {device});
            try (Trainer trainer = model.newTrainer(tc)) {
                trainer.initialize(data.shape(Math.min(config.batchSize(), nTrain)));
                SplittableRandom orderRng = FlowSeeds.random(key, "order-" + name);
                int sinceBest = 0;
                for (int epoch = 1; epoch <= config.maxEpochs(); epoch++) {
                    int[] order = permutation(nTrain, orderRng);
                    double trainNats = 0;
                    for (int from = 0; from < nTrain; from += config.batchSize()) {
                        int b = Math.min(config.batchSize(), nTrain - from);
                        double loss;
                        try (NDScope scope = new NDScope()) {
                            NDArray xb = data.batch(manager, train, order, from, b);
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDArray mean = trainer.forward(new NDList(xb)).singletonOrThrow().mean();
                                gc.backward(mean);
                                loss = mean.getFloat();
                            }
                            scope.suppressNotUsedWarning();
                        }
                        if (!Double.isFinite(loss)) {
                            stop = "non-finite training loss at epoch " + epoch;
                            break;
                        }
                        trainer.step();
                        trainNats += loss * b;
                    }
                    if (!stop.equals("max-epochs")) {
                        break;
                    }
                    FlowEngine.disableGrad();
                    double heldNats = data.heldOutNats(block, manager, config.batchSize());
                    double trainBits = trainNats / nTrain / rows / LN2;
                    double heldBits = heldNats / nHeld / rows / LN2;
                    epochs.add(new FlowCurve.Epoch(epoch, trainBits, heldBits));
                    progress.onEpoch(name, epoch, trainBits, heldBits);
                    if (!Double.isFinite(heldBits)) {
                        stop = "non-finite held-out loss at epoch " + epoch;
                        break;
                    }
                    if (heldBits < bestHeld - MIN_IMPROVEMENT_BITS) {
                        bestHeld = heldBits;
                        bestEpoch = epoch;
                        best = FlowNet.parameterBytes(block);
                        sinceBest = 0;
                    } else if (++sinceBest >= config.patience()) {
                        stop = "patience";
                        break;
                    } else if (sinceBest % plateauEpochs(config) == 0) {
                        rate.halve();
                    }
                }
            }
        }
        if (best == null) {
            throw new IllegalStateException("Flow " + name + " produced no finite held-out loss (" + stop
                    + "); lower FlowConfig.learningRate (now " + config.learningRate() + ") or check the input");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        curves.put(name, new FlowCurve(epochs, bestEpoch, bestHeld, stop, seconds));
        return FlowNet.fromParameters("flow-" + name, spec, device, best);
    }

    /**
     * Epochs without held-out improvement before the learning rate halves: a third of the patience, so a fit
     * gets two or three smaller-step attempts before it stops. Smaller steps late in training cut the
     * minibatch noise that otherwise keeps the held-out codelength bouncing above its reachable minimum.
     */
    static int plateauEpochs(FlowConfig config) {
        return Math.max(1, config.patience() / 3);
    }

    /** Adam's learning rate, halved on held-out plateaus (never below 1/64 of the configured rate). */
    private static final class PlateauRate implements Tracker {
        private final float floor;
        private float value;

        PlateauRate(float initial) {
            this.value = initial;
            this.floor = initial / 64;
        }

        void halve() {
            value = Math.max(floor, value / 2);
        }

        @Override
        public float getNewValue(int numUpdate) {
            return value;
        }
    }

    static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Observations of one flow, with their batch shape: (B, D) for tokens, (B, 1, T, D) for maps. */
    private record Data(float[] train, int nTrain, float[] held, int nHeld, int obsSize, int rows, int channels,
            FlowGranularity granularity) {

        Shape shape(int b) {
            return granularity == FlowGranularity.TOKEN ? new Shape(b, channels) : new Shape(b, 1, rows, channels);
        }

        NDArray batch(NDManager m, float[] src, int[] order, int from, int b) {
            float[] buf = new float[b * obsSize];
            for (int i = 0; i < b; i++) {
                int o = order == null ? from + i : order[from + i];
                System.arraycopy(src, o * obsSize, buf, i * obsSize, obsSize);
            }
            return m.create(FloatBuffer.wrap(buf), shape(b));
        }

        double heldOutNats(FlowBlock block, NDManager manager, int batchSize) {
            double sum = 0;
            int chunk = Math.max(batchSize, granularity == FlowGranularity.TOKEN ? 4096 : 1);
            for (int from = 0; from < nHeld; from += chunk) {
                int b = Math.min(chunk, nHeld - from);
                try (NDScope scope = new NDScope()) {
                    NDArray x = batch(manager, held, null, from, b);
                    NDArray nats = block.codelengthNats(new ParameterStore(manager, false), x, false);
                    sum += nats.sum().getFloat();
                    scope.suppressNotUsedWarning();
                }
            }
            return sum;
        }
    }

    /** The block's output already is the codelength; the loss is its mean (nats per observation). */
    private static final class CodelengthLoss extends Loss {
        CodelengthLoss() {
            super("codelength");
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            return predictions.singletonOrThrow().mean();
        }
    }
}
