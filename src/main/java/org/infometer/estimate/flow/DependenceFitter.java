package org.infometer.estimate.flow;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
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
import org.infometer.estimate.JointMoments;
import org.infometer.estimate.gaussian.GaussianPairFitter;
import org.infometer.estimate.gaussian.GaussianPairModel;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fits a {@link DependenceModel} on one buffered, split partition (token granularity).
 *
 * <ol>
 *   <li>Per-channel quantile Gaussianisation of X and of Y, on the buffered tokens.</li>
 *   <li>The Gaussian pair model on the Gaussianised tokens, its rank chosen by leave-one-fold-out held-out gain
 *       over {@value #INNER_FOLDS} folds of source samples ({@link GaussianPairFitter#fitSelectingRank}).</li>
 *   <li>The conditional flow q(b | c) ({@link DependenceBlock}): when both modalities have at most
 *       {@value #MAX_LEARNED_DIMS} channels, b and c are all of Y's and X's Gaussianised channels and the flow
 *       replaces every Gaussian pair (its linear heads start at the least-squares regression of b on c);
 *       otherwise b is Y's first k canonical coordinates and c their partners in X, and the flow replaces
 *       those k pairs (its linear heads start at the canonical correlations). Trained on the train slice with
 *       Adam on -ln q(b | c) - ln q(b), early-stopped on the held-out slice.</li>
 *   <li>The held-out slice is halved by source sample: one half stops training early, the other decides. The
 *       flow is kept only if, on the deciding half, it beats the Gaussian pairs it replaces by more than twice
 *       the standard error of the gain (clustered by source sample, since tokens of a sample are not
 *       independent). Deciding on the data that chose the epoch would favour the flow exactly where it overfits
 *       (few samples, many dimensions). Otherwise the model is the Gaussian one on Gaussianised data.</li>
 * </ol>
 */
final class DependenceFitter {

    static final int INNER_FOLDS = 5;
    /** Most target coordinates the conditional flow models; further canonical pairs stay Gaussian. */
    static final int MAX_LEARNED_DIMS = 10;
    /** X's whitened coordinates join the context when X has at most this many channels. */
    static final int MAX_WHITENED_CONTEXT = 10;
    static final int MAX_NET_TRAIN_TOKENS = 65_536;
    static final int MAX_NET_HELD_TOKENS = 16_384;
    static final int MAX_GAUSSIANIZER_TOKENS = 65_536;
    static final int MIN_NET_TOKENS = 1000;
    /** Fewest source samples in each half of the held-out slice for the conditional flow to be tried. */
    static final int MIN_HELD_SAMPLES = 8;
    static final double ACCEPT_SE = 2.0;
    private static final double LN2 = Math.log(2);
    private static final double MIN_IMPROVEMENT_BITS = 1e-4;

    /** What the fit decided, for the fit summary and the logs. */
    record Outcome(DependenceModel model, FlowCurve curve, double heldOutMiBits, int rank, boolean learned,
            double gainBits, double gainSeBits) {
    }

    private DependenceFitter() {
    }

    static Outcome fit(TrainingBuffer.Part train, TrainingBuffer.Part held, int cx, int cy, FlowConfig config,
            long key, Device device, FlowProgressListener progress) {
        long start = System.nanoTime();
        int nAll = train.count() + held.count();
        QuantileGaussianizer gx = QuantileGaussianizer.fit(strided(train.x(), held.x(), cx, nAll,
                MAX_GAUSSIANIZER_TOKENS), Math.min(nAll, MAX_GAUSSIANIZER_TOKENS), cx);
        QuantileGaussianizer gy = QuantileGaussianizer.fit(strided(train.y(), held.y(), cy, nAll,
                MAX_GAUSSIANIZER_TOKENS), Math.min(nAll, MAX_GAUSSIANIZER_TOKENS), cy);
        float[] tzx = gauss(gx, train.x(), train.count(), cx);
        float[] tzy = gauss(gy, train.y(), train.count(), cy);
        float[] hzx = gauss(gx, held.x(), held.count(), cx);
        float[] hzy = gauss(gy, held.y(), held.count(), cy);

        // Two Gaussian fits. The one on every token (train and held-out) is the final model when the conditional
        // flow is not kept. The flow and its decision use one fitted on the training part only: canonical
        // directions fitted on data that includes the deciding half carry in-sample (spurious) correlations
        // beyond the true rank, a flow trained on them "gains" on the deciding half and loses out of fold
        // (measured on dense 50 + 50: +0.07 bits/token held-out, -0.15 on the test fold).
        // Moments per inner fold (by sample), of the training part and of the held-out part separately: the
        // tokens are accumulated once for both fits below.
        List<JointMoments> trainFolds = innerFolds(tzx, tzy, train.samples(), cx, cy, key);
        List<JointMoments> heldFolds = innerFolds(hzx, hzy, held.samples(), cx, cy, key);
        JointMoments every = new JointMoments(cx, cy);
        for (int f = 0; f < trainFolds.size(); f++) {
            every.merge(trainFolds.get(f)).merge(heldFolds.get(f));
        }
        // The rank is chosen once, by the inner folds of the training part; the final Gaussian model refits
        // that rank on every token (the eigen decompositions, not the data passes, dominate at 256 + 256).
        GaussianPairFitter.RankedFit ranked = GaussianPairFitter.fitSelectingRank(trainFolds);
        GaussianPairFitter.RankedFit rankedAll = GaussianPairFitter.fitWithRank(every, ranked.rank(),
                ranked.shrinkScale(), ranked.heldOutGainBitsPerToken());
        GaussianPairModel full = ranked.full();
        int rank = ranked.rank();
        int r = full.rank();
        boolean raw = rawMode(cx, cy);
        int k = raw ? cy : Math.min(r, MAX_LEARNED_DIMS);
        boolean whitened = !raw && cx <= MAX_WHITENED_CONTEXT;
        DependenceModel.Net netSpec = new DependenceModel.Net(k, raw ? cx : k + (whitened ? cx : 0), whitened,
                config.hiddenUnits(), config.mixtureComponents(), config.flowSteps(), raw, new byte[0]);

        DependenceModel gaussOnly = new DependenceModel(gx, gy, full, rank, DependenceModel.Net.NONE, device);
        DependenceModel.Coordinates heldCoords = coordinates(full, hzx, hzy, held.count());
        double[] heldGauss = gaussOnly.gaussianPmi(heldCoords, 0, rank);
        List<FlowCurve.Epoch> epochs = new ArrayList<>();
        String stop = "not trained";
        int bestEpoch = 0;
        double bestHeld = Double.NaN;
        DependenceModel chosen = gaussOnly;
        double gain = 0;
        double gainSe = 0;
        boolean learned = false;
        boolean[] deciding = new boolean[held.count()];
        long decideKey = FlowSeeds.derive(key, "deciding-half");
        for (int i = 0; i < deciding.length; i++) {
            deciding[i] = FlowSeeds.unit(decideKey, held.samples()[i]) < 0.5;
        }
        DependenceModel.Coordinates stopCoords = subset(heldCoords, deciding, false, cx, cy, r);
        DependenceModel.Coordinates decideCoords = subset(heldCoords, deciding, true, cx, cy, r);
        long[] decideSamples = subset(held.samples(), deciding, true);
        boolean enough = k > 0 && train.count() >= MIN_NET_TOKENS
                && distinct(decideSamples) >= MIN_HELD_SAMPLES
                && distinct(subset(held.samples(), deciding, false)) >= MIN_HELD_SAMPLES;
        if (!enough) {
            stop = k == 0 ? "no canonical pairs" : "too little data for the conditional flow (" + train.count()
                    + " training tokens, at least " + MIN_NET_TOKENS + " and " + MIN_HELD_SAMPLES
                    + " held-out samples per half needed)";
        }
        if (enough) {
            Training t = train(netSpec, full, tzx, tzy, train.count(), stopCoords, config, key, device, progress,
                    epochs);
            stop = t.stop;
            bestEpoch = t.bestEpoch;
            bestHeld = t.bestHeld;
            if (t.parameters != null) {
                DependenceModel.Net net = netSpec.withParameters(t.parameters);
                DependenceModel candidate = new DependenceModel(gx, gy, full, rank, net, device);
                double[] ms = clusteredMean(gain(candidate, gaussOnly, decideCoords, netSpec.replaces(rank)),
                        decideSamples);
                gain = ms[0] / LN2;
                gainSe = ms[1] / LN2;
                if (Double.isFinite(ms[0]) && ms[0] > ACCEPT_SE * ms[1] && ms[0] > 0) {
                    learned = true;
                    chosen = candidate;
                    double[] delta = gain(candidate, gaussOnly, heldCoords, netSpec.replaces(rank));
                    for (int i = 0; i < heldGauss.length; i++) {
                        heldGauss[i] += delta[i];
                    }
                } else {
                    candidate.close();
                }
            }
        }
        gaussOnly.close();
        String margins = "";
        if (!learned) {
            MarginChoice m = chooseMargins(train, held, cx, cy, key, heldGauss, k > 0);
            margins = m.note();
            if (m.identity() != null) {
                heldGauss = m.heldPmi();
                chosen = new DependenceModel(QuantileGaussianizer.identity(cx), QuantileGaussianizer.identity(cy),
                        m.identity().full(), m.identity().rank(), DependenceModel.Net.NONE, device);
                rank = m.identity().rank();
            } else {
                chosen = new DependenceModel(gx, gy, rankedAll.full(), rankedAll.rank(), DependenceModel.Net.NONE,
                        device);
                rank = rankedAll.rank();
            }
        }
        double heldMi = 0;
        for (double v : heldGauss) {
            heldMi += v;
        }
        heldMi = held.count() > 0 ? heldMi / held.count() / LN2 : 0;
        String decision = learned ? "conditional flow kept" : (k > 0 ? "Gaussian pairs kept" : "no pairs");
        FlowCurve curve = new FlowCurve(epochs, bestEpoch, bestHeld, stop + "; " + decision + String.format(
                java.util.Locale.ROOT, " (held-out gain %.4f ± %.4f bits/token, rank %d)", gain, gainSe, rank)
                + margins,
                (System.nanoTime() - start) / 1e9);
        return new Outcome(chosen, curve, heldMi, rank, learned, gain, gainSe);
    }

    /** Identity margins when they win ({@code identity} non-null, with their held-out pmi), else Gaussianised. */
    private record MarginChoice(GaussianPairFitter.RankedFit identity, double[] heldPmi, String note) {
    }

    /**
     * Gaussianised or identity margins for the Gaussian pair model, by held-out pointwise MI. The quantile maps are
     * estimated, and on margins that are already Gaussian their noise costs a little dependence out of fold
     * (measured: 0.001 to 0.002 bits/token below the Gaussian model on 2-pair sparse 25 + 25 and 50 + 50), so they
     * are kept only when they gain more than {@value #ACCEPT_SE} standard errors of the gain (clustered by source
     * sample) on the held-out part. Both candidates are fitted on the training part only, their rank chosen the
     * same way; the identity model that is kept is refitted on every buffered token like the Gaussianised one.
     */
    private static MarginChoice chooseMargins(TrainingBuffer.Part train, TrainingBuffer.Part held, int cx, int cy,
            long key, double[] heldGaussianised, boolean anyPairs) {
        if (held.count() == 0 || distinct(held.samples()) < 2 * MIN_HELD_SAMPLES) {
            return new MarginChoice(null, null, "; Gaussianised margins (too few held-out samples to compare)");
        }
        List<JointMoments> trainFolds = innerFolds(train.x(), train.y(), train.samples(), cx, cy, key);
        List<JointMoments> heldFolds = innerFolds(held.x(), held.y(), held.samples(), cx, cy, key);
        GaussianPairFitter.RankedFit ranked = GaussianPairFitter.fitSelectingRank(trainFolds);
        DependenceModel raw = new DependenceModel(QuantileGaussianizer.identity(cx), QuantileGaussianizer.identity(cy),
                ranked.full(), ranked.rank(), DependenceModel.Net.NONE, Device.cpu());
        double[] heldRaw;
        try {
            heldRaw = raw.gaussianPmi(coordinates(ranked.full(), held.x(), held.y(), held.count()), 0, ranked.rank());
        } finally {
            raw.close();
        }
        double[] diff = new double[heldRaw.length];
        for (int i = 0; i < diff.length; i++) {
            diff[i] = heldGaussianised[i] - heldRaw[i];
        }
        double[] ms = clusteredMean(diff, held.samples());
        String gainText = String.format(java.util.Locale.ROOT, "%.4f ± %.4f bits/token", ms[0] / LN2, ms[1] / LN2);
        if (!anyPairs && ranked.rank() == 0 || Double.isFinite(ms[0]) && ms[0] > ACCEPT_SE * ms[1] && ms[0] > 0) {
            return new MarginChoice(null, null, "; Gaussianised margins (held-out gain " + gainText + ")");
        }
        JointMoments every = new JointMoments(cx, cy);
        for (int f = 0; f < trainFolds.size(); f++) {
            every.merge(trainFolds.get(f)).merge(heldFolds.get(f));
        }
        GaussianPairFitter.RankedFit all = GaussianPairFitter.fitWithRank(every, ranked.rank(),
                ranked.shrinkScale(), ranked.heldOutGainBitsPerToken());
        return new MarginChoice(all, heldRaw, "; identity margins (Gaussianising gained " + gainText + ")");
    }

    /** Both modalities small enough for the conditional flow to take every channel as it is (Gaussianised). */
    static boolean rawMode(int cx, int cy) {
        return cx <= MAX_WHITENED_CONTEXT && cy <= MAX_LEARNED_DIMS;
    }

    /** Per token, the conditional flow's pointwise MI minus that of the Gaussian pairs it replaces (nats). */
    private static double[] gain(DependenceModel candidate, DependenceModel gaussOnly,
            DependenceModel.Coordinates c, int replaces) {
        double[] learnedPmi = candidate.learnedPmi(c);
        double[] replaced = gaussOnly.gaussianPmi(c, 0, replaces);
        for (int i = 0; i < learnedPmi.length; i++) {
            learnedPmi[i] -= replaced[i];
        }
        return learnedPmi;
    }

    private static DependenceModel.Coordinates subset(DependenceModel.Coordinates c, boolean[] mask, boolean want,
            int cx, int cy, int r) {
        int n = 0;
        for (boolean b : mask) {
            n += b == want ? 1 : 0;
        }
        float[] px = new float[n * (cx + r)];
        float[] py = new float[n * (cy + r)];
        float[] zx = new float[n * cx];
        float[] zy = new float[n * cy];
        int j = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] == want) {
                System.arraycopy(c.px(), i * (cx + r), px, j * (cx + r), cx + r);
                System.arraycopy(c.py(), i * (cy + r), py, j * (cy + r), cy + r);
                System.arraycopy(c.zx(), i * cx, zx, j * cx, cx);
                System.arraycopy(c.zy(), i * cy, zy, j * cy, cy);
                j++;
            }
        }
        return new DependenceModel.Coordinates(px, py, n, 0, 0, zx, zy);
    }

    private static long[] subset(long[] a, boolean[] mask, boolean want) {
        return java.util.stream.IntStream.range(0, a.length).filter(i -> mask[i] == want).mapToLong(i -> a[i])
                .toArray();
    }

    private static long distinct(long[] a) {
        return java.util.Arrays.stream(a).distinct().count();
    }

    private static DependenceModel.Coordinates coordinates(GaussianPairModel g, float[] zx, float[] zy, int n) {
        return new DependenceModel.Coordinates(g.coordinatesX(zx, n, TorchProduct.INSTANCE),
                g.coordinatesY(zy, n, TorchProduct.INSTANCE), n, 0, 0, zx, zy);
    }

    private static float[] gauss(QuantileGaussianizer g, float[] v, int n, int c) {
        float[] out = new float[n * c];
        g.transform(v, n, out, null);
        return out;
    }

    /** At most {@code max} of the train-then-held tokens, evenly strided (all of them when there are fewer). */
    private static float[] strided(float[] a, float[] b, int c, int n, int max) {
        int m = Math.min(n, max);
        int na = a.length / c;
        float[] out = new float[m * c];
        for (int i = 0; i < m; i++) {
            long src = (long) i * n / m;
            if (src < na) {
                System.arraycopy(a, (int) src * c, out, i * c, c);
            } else {
                System.arraycopy(b, (int) (src - na) * c, out, i * c, c);
            }
        }
        return out;
    }

    /**
     * Moments of the Gaussianised tokens in {@value #INNER_FOLDS} folds of source samples (a sample's tokens
     * share a fold, so the training part's and the held-out part's folds can be merged fold by fold).
     */
    private static List<JointMoments> innerFolds(float[] zx, float[] zy, long[] samples, int cx, int cy, long key) {
        long foldKey = FlowSeeds.derive(key, "inner-folds");
        int n = samples.length;
        int[] fold = new int[n];
        int[] counts = new int[INNER_FOLDS];
        for (int i = 0; i < n; i++) {
            fold[i] = (int) Math.min(INNER_FOLDS - 1, Math.floor(FlowSeeds.unit(foldKey, samples[i]) * INNER_FOLDS));
            counts[fold[i]]++;
        }
        List<JointMoments> out = new ArrayList<>();
        for (int f = 0; f < INNER_FOLDS; f++) {
            JointMoments m = new JointMoments(cx, cy);
            if (counts[f] > 0) {
                float[] fx = new float[counts[f] * cx];
                float[] fy = new float[counts[f] * cy];
                int j = 0;
                for (int i = 0; i < n; i++) {
                    if (fold[i] == f) {
                        System.arraycopy(zx, i * cx, fx, j * cx, cx);
                        System.arraycopy(zy, i * cy, fy, j * cy, cy);
                        j++;
                    }
                }
                m.addSample(fx, fy, counts[f], TorchGram.INSTANCE);
            }
            out.add(m);
        }
        return out;
    }

    /** Mean per token and its standard error with tokens clustered by source sample. */
    static double[] clusteredMean(double[] v, long[] samples) {
        Map<Long, double[]> bySample = new HashMap<>();
        double total = 0;
        for (int i = 0; i < v.length; i++) {
            bySample.computeIfAbsent(samples[i], s -> new double[2]);
            double[] a = bySample.get(samples[i]);
            a[0] += v[i];
            a[1] += 1;
            total += v[i];
        }
        int n = v.length;
        double mean = total / n;
        int g = bySample.size();
        if (g < 2) {
            return new double[] {mean, Double.POSITIVE_INFINITY};
        }
        double ss = 0;
        for (double[] a : bySample.values()) {
            double d = a[0] - a[1] * mean;
            ss += d * d;
        }
        double var = ss * g / (g - 1.0) / ((double) n * n);
        return new double[] {mean, Math.sqrt(var)};
    }

    private static final class Training {
        byte[] parameters;
        String stop = "max-epochs";
        int bestEpoch;
        double bestHeld = Double.POSITIVE_INFINITY;
    }

    private static Training train(DependenceModel.Net spec, GaussianPairModel full, float[] tzx, float[] tzy,
            int nTrain, DependenceModel.Coordinates heldCoords, FlowConfig config, long key, Device device,
            FlowProgressListener progress, List<FlowCurve.Epoch> epochs) {
        int cx = full.channelsX();
        int cy = full.channelsY();
        int r = full.rank();
        // A bounded, seeded subsample: beyond some tens of thousands of tokens a k-dimensional conditional
        // density gains little, while the cost grows linearly.
        int[] pick = subsample(nTrain, MAX_NET_TRAIN_TOKENS, FlowSeeds.random(key, "dependence-train"));
        float[] sx = rows(tzx, cx, pick);
        float[] sy = rows(tzy, cy, pick);
        DependenceModel.Coordinates tc = coordinates(full, sx, sy, pick.length);
        float[][] trainIn = DependenceModel.inputs(tc, spec, cx, cy, r);
        int nHeldAll = heldCoords.tokens();
        float[][] heldIn = DependenceModel.inputs(heldCoords, spec, cx, cy, r);
        int[] heldPick = subsample(nHeldAll, MAX_NET_HELD_TOKENS, FlowSeeds.random(key, "dependence-held"));
        float[] hb = rows(heldIn[0], spec.k(), heldPick);
        float[] hc = rows(heldIn[1], spec.contextDims(), heldPick);
        int n = pick.length;
        int nHeld = heldPick.length;
        int k = spec.k();
        int m = spec.contextDims();
        double[] rho = full.canonicalCorrelations();
        Training out = new Training();
        FlowTrainer.TRAINING_LOCK.lock();
        try (Model model = Model.newInstance("dependence", device, FlowEngine.ENGINE_NAME)) {
            DependenceBlock block = spec.block();
            model.setBlock(block);
            NDManager manager = model.getNDManager();
            FlowEngine.disableGrad();
            if (spec.raw()) {
                float[][] heads = regressionHeads(trainIn[0], trainIn[1], n, k, m);
                block.initialize(manager, heads[0], heads[1], FlowSeeds.random(key, "dependence-init"));
            } else {
                block.initialize(manager, rho, FlowSeeds.random(key, "dependence-init"));
            }
            Rate rate = new Rate((float) config.learningRate());
            DefaultTrainingConfig tcfg = new DefaultTrainingConfig(new MeanLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(rate).build())
                    .optDevices(new Device[] {device});
            int batch = Math.min(config.batchSize(), n);
            try (Trainer trainer = model.newTrainer(tcfg)) {
                trainer.initialize(new Shape(2L * batch, k), new Shape(2L * batch, m), new Shape(2L * batch, 1));
                SplittableRandom orderRng = FlowSeeds.random(key, "dependence-order");
                int sinceBest = 0;
                int plateau = FlowTrainer.plateauEpochs(config);
                for (int epoch = 1; epoch <= config.maxEpochs(); epoch++) {
                    int[] order = FlowTrainer.permutation(n, orderRng);
                    double trainNats = 0;
                    boolean bad = false;
                    for (int from = 0; from < n; from += batch) {
                        int b = Math.min(batch, n - from);
                        double loss;
                        try (NDScope scope = new NDScope()) {
                            NDList in = doubled(manager, trainIn[0], trainIn[1], order, from, b, k, m);
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDArray nll = trainer.forward(in).singletonOrThrow();
                                // Mean over both halves = (mean -ln q(b|c) + mean -ln q(b)) / 2.
                                NDArray mean = nll.mean();
                                gc.backward(mean);
                                loss = mean.getFloat();
                            }
                            scope.suppressNotUsedWarning();
                        }
                        if (!Double.isFinite(loss)) {
                            out.stop = "non-finite training loss at epoch " + epoch;
                            bad = true;
                            break;
                        }
                        trainer.step();
                        trainNats += loss * b;
                    }
                    if (bad) {
                        break;
                    }
                    FlowEngine.disableGrad();
                    double heldNats = heldOutNats(block, manager, hb, hc, nHeld, k, m);
                    double trainBits = trainNats / n / LN2;
                    double heldBits = heldNats / nHeld / LN2;
                    epochs.add(new FlowCurve.Epoch(epoch, trainBits, heldBits));
                    progress.onEpoch("dependence", epoch, trainBits, heldBits);
                    if (!Double.isFinite(heldBits)) {
                        out.stop = "non-finite held-out loss at epoch " + epoch;
                        break;
                    }
                    if (heldBits < out.bestHeld - MIN_IMPROVEMENT_BITS) {
                        out.bestHeld = heldBits;
                        out.bestEpoch = epoch;
                        out.parameters = parameterBytes(block);
                        sinceBest = 0;
                    } else if (++sinceBest >= config.patience()) {
                        out.stop = "patience";
                        break;
                    } else if (sinceBest % plateau == 0) {
                        rate.halve();
                    }
                }
            }
        } finally {
            FlowTrainer.TRAINING_LOCK.unlock();
        }
        return out;
    }

    /**
     * Linear heads at the least-squares regression of b on c (the Gaussian conditional mean) and the residual
     * log standard deviations, so training starts from a Gaussian model of the dependence.
     */
    static float[][] regressionHeads(float[] b, float[] c, int n, int k, int m) {
        double[] cc = new double[m * m];
        double[] cb = new double[m * k];
        double[] bb = new double[k];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < m; i++) {
                double ci = c[t * m + i];
                for (int j = 0; j < m; j++) {
                    cc[i * m + j] += ci * c[t * m + j];
                }
                for (int j = 0; j < k; j++) {
                    cb[i * k + j] += ci * b[t * k + j];
                }
            }
            for (int j = 0; j < k; j++) {
                bb[j] += (double) b[t * k + j] * b[t * k + j];
            }
        }
        for (int i = 0; i < m; i++) {
            cc[i * m + i] += 1e-6 * n + 1e-9;
        }
        org.apache.commons.math3.linear.RealMatrix a = new org.apache.commons.math3.linear.Array2DRowRealMatrix(m, m);
        org.apache.commons.math3.linear.RealMatrix rhs = new org.apache.commons.math3.linear.Array2DRowRealMatrix(m, k);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                a.setEntry(i, j, cc[i * m + j]);
            }
            for (int j = 0; j < k; j++) {
                rhs.setEntry(i, j, cb[i * k + j]);
            }
        }
        org.apache.commons.math3.linear.RealMatrix coef = new org.apache.commons.math3.linear.CholeskyDecomposition(a)
                .getSolver().solve(rhs);
        float[] mean = new float[(m + 1) * k];
        float[] logScale = new float[(m + 1) * k];
        for (int j = 0; j < k; j++) {
            double explained = 0;
            for (int i = 0; i < m; i++) {
                double w = coef.getEntry(i, j);
                mean[i * k + j] = (float) w;
                explained += w * cb[i * k + j];
            }
            double resid = Math.max(1e-3, (bb[j] - explained) / n);
            logScale[m * k + j] = (float) (0.5 * Math.log(Math.min(1.0, resid)));
        }
        return new float[][] {mean, logScale};
    }

    /** A minibatch twice: first half with the context (flag 1), second half without (flag 0). */
    private static NDList doubled(NDManager mgr, float[] b, float[] c, int[] order, int from, int n, int k, int m) {
        float[] bb = new float[2 * n * k];
        float[] cc = new float[2 * n * m];
        float[] ff = new float[2 * n];
        for (int i = 0; i < n; i++) {
            int o = order == null ? from + i : order[from + i];
            System.arraycopy(b, o * k, bb, i * k, k);
            System.arraycopy(b, o * k, bb, (n + i) * k, k);
            System.arraycopy(c, o * m, cc, i * m, m);
            System.arraycopy(c, o * m, cc, (n + i) * m, m);
            ff[i] = 1f;
        }
        return new NDList(mgr.create(FloatBuffer.wrap(bb), new Shape(2L * n, k)),
                mgr.create(FloatBuffer.wrap(cc), new Shape(2L * n, m)),
                mgr.create(FloatBuffer.wrap(ff), new Shape(2L * n, 1)));
    }

    /** Held-out loss in the training loss's units: the sum over both halves, per token. */
    private static double heldOutNats(DependenceBlock block, NDManager manager, float[] b, float[] c, int n, int k,
            int m) {
        double sum = 0;
        int chunk = 4096;
        for (int from = 0; from < n; from += chunk) {
            int len = Math.min(chunk, n - from);
            try (NDScope scope = new NDScope()) {
                NDList in = doubled(manager, b, c, null, from, len, k, m);
                NDArray nll = block.negLogDensity(new ParameterStore(manager, false), in.get(0), in.get(1),
                        in.get(2), false);
                sum += nll.sum().getFloat() / 2;
                scope.suppressNotUsedWarning();
            }
        }
        return sum;
    }

    private static byte[] parameterBytes(DependenceBlock block) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (DataOutputStream dos = new DataOutputStream(bos)) {
            block.saveParameters(dos);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bos.toByteArray();
    }

    private static int[] subsample(int n, int max, SplittableRandom rng) {
        if (n <= max) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        int[] p = FlowTrainer.permutation(n, rng);
        int[] out = java.util.Arrays.copyOf(p, max);
        java.util.Arrays.sort(out);
        return out;
    }

    private static float[] rows(float[] a, int c, int[] pick) {
        float[] out = new float[pick.length * c];
        for (int i = 0; i < pick.length; i++) {
            System.arraycopy(a, pick[i] * c, out, i * c, c);
        }
        return out;
    }

    /** Adam's step size, halved on held-out plateaus (never below 1/64 of the configured one). */
    private static final class Rate implements Tracker {
        private final float floor;
        private float value;

        Rate(float initial) {
            value = initial;
            floor = initial / 64;
        }

        void halve() {
            value = Math.max(floor, value / 2);
        }

        @Override
        public float getNewValue(int numUpdate) {
            return value;
        }
    }

    private static final class MeanLoss extends Loss {
        MeanLoss() {
            super("dependence-codelength");
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            return predictions.singletonOrThrow().mean();
        }
    }
}
