package org.infometer.estimate.flow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Fit and apply throughput of the token-granularity learned model on CPU, printed as medians of a few runs.
 *
 * <p>Usage: {@code java -cp <classpath> org.infometer.estimate.flow.FlowBenchmark [channels] [fitSamples]
 * [epochs] [runs] [threads]}; defaults 256 (per modality), 20 samples of 900 tokens, 0 epochs (the default
 * training budget with early stopping), 3 runs, 1 intra-op thread (the job's default: Spark runs one task per
 * core). Data are correlated Gaussian features pushed through a per-channel warp, so every stage does real work.
 * Fit throughput is training tokens per second of the whole fit (Gaussianisation, Gaussian rank selection,
 * conditional flow training and its held-out decision); apply throughput counts tokens scored per second.
 */
public final class FlowBenchmark {

    private static final int TOKENS = 900;

    private FlowBenchmark() {
    }

    public static void main(String[] args) {
        int channels = arg(args, 0, 256);
        int fitSamples = arg(args, 1, 20);
        int epochs = arg(args, 2, 0);
        int runs = arg(args, 3, 3);
        int threads = arg(args, 4, 1);
        List<PairSample> fitData = data(fitSamples, channels, 1);
        List<PairSample> applyData = data(4, channels, 2);
        FlowConfig.Builder b = FlowConfig.builder(FlowGranularity.TOKEN).intraOpThreads(threads).device("cpu");
        if (epochs > 0) {
            b.maxEpochs(epochs).patience(epochs);
        }
        FlowConfig config = b.build();
        System.out.printf(Locale.ROOT, "flow-token %d + %d channels, %d fit samples x %d tokens, epochs %s, "
                + "batch %d, %d coupling steps, hidden %d, %d intra-op threads, DJL %s, PyTorch %s%n", channels,
                channels, fitSamples, TOKENS, epochs > 0 ? String.valueOf(epochs) : "default (max "
                        + config.maxEpochs() + ", early stopping)", config.batchSize(), config.flowSteps(),
                config.hiddenUnits(), threads, FlowEngine.djlVersion(), FlowEngine.pytorchVersion());
        double[] fit = new double[runs];
        double[] apply = new double[runs];
        double[] seconds = new double[runs];
        long trainTokens = 0;
        for (int r = 0; r < runs; r++) {
            long start = System.nanoTime();
            try (FlowPairModel model = FlowTrainer.fit(fitData.iterator(), channels, channels, config, r, null)) {
                seconds[r] = (System.nanoTime() - start) / 1e9;
                FlowFitSummary s = model.summary();
                trainTokens = s.trainObservations();
                fit[r] = s.trainObservations() / seconds[r];
                long t0 = System.nanoTime();
                long tokens = 0;
                for (PairSample p : applyData) {
                    model.score(p.x(), p.y(), p.tokens());
                    tokens += p.tokens();
                }
                apply[r] = tokens / ((System.nanoTime() - t0) / 1e9);
                System.out.printf(Locale.ROOT, "run %d: fit %.1f s (%d train tokens), fit %.0f tokens/s, "
                        + "apply %.0f tokens/s, held-out MI %.3f bits/token%n", r + 1, seconds[r],
                        s.trainObservations(), fit[r], apply[r], s.heldOutMiBitsPerToken());
            }
        }
        double fitMedian = median(fit);
        double applyMedian = median(apply);
        long valTokens = 6019L * TOKENS;
        int buffer = config.maxBufferTokens();
        double perModel = buffer * (1 - config.heldOutFraction()) / fitMedian;
        System.out.printf(Locale.ROOT, "median fit %.0f tokens/s (%.1f s for %d tokens), median apply %.0f "
                + "tokens/s%n", fitMedian, median(seconds), trainTokens, applyMedian);
        System.out.printf(Locale.ROOT, "nuScenes val (6019 x 900 = %d tokens): one model on a %d-token buffer "
                + "~ %.0f s; 5 folds ~ %.1f min on one core; scoring every token once ~ %.1f min%n", valTokens,
                buffer, perModel, 5 * perModel / 60, valTokens / applyMedian / 60);
    }

    static List<PairSample> data(int samples, int channels, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<PairSample> out = new ArrayList<>();
        for (int s = 0; s < samples; s++) {
            float[] x = new float[TOKENS * channels];
            float[] y = new float[TOKENS * channels];
            for (int i = 0; i < x.length; i++) {
                double u = r.nextGaussian();
                double v = 0.6 * u + 0.8 * r.nextGaussian();
                x[i] = (float) (u * Math.sqrt(Math.abs(u)));
                y[i] = (float) Math.sinh(v);
            }
            out.add(new PairSample(x, y, TOKENS));
        }
        return out;
    }

    private static int arg(String[] args, int i, int def) {
        return args.length > i ? Integer.parseInt(args[i]) : def;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
