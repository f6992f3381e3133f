package org.infometer.estimate.variational;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import org.infometer.estimate.flow.FlowTrainer;

import java.util.SplittableRandom;

/**
 * Trains a {@link Critic} on token pairs by maximising a variational bound with Adam on DJL (PyTorch, CPU).
 *
 * <p>MINE: product-of-marginals pairs come from shuffling y within the batch; the gradient of log E[e^T] is
 * biased on minibatches, so its denominator is a moving average of E[e^T] (the MINE paper's correction), via
 * the surrogate {@code E_P[T] - E_Q[e^T] / ema} whose gradient is the corrected one. InfoNCE: all K x K pairs
 * of the batch are scored and the diagonal is the positive class.
 *
 * <p>Deterministic: initialisation and batches come from {@code config.seed()} alone; training runs in the
 * calling thread and shares the flow trainer's lock, as PyTorch's gradient mode is process-wide.
 */
public final class CriticTrainer {

    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    private CriticTrainer() {
    }

    /**
     * A trained critic and its training curve: the bound's value on the training batches (nats), averaged over
     * each tenth of the steps, for the convergence check.
     */
    public record Trained(Critic critic, double[] curve) {
    }

    /** Trains on {@code n} tokens (row-major {@code x}: n x cx, {@code y}: n x cy). */
    public static Critic train(float[] x, float[] y, int n, int cx, int cy, Bound bound, CriticConfig config) {
        return trainTraced(x, y, n, cx, cy, bound, config).critic();
    }

    /** As {@link #train}, with the training curve. */
    public static Trained trainTraced(float[] x, float[] y, int n, int cx, int cy, Bound bound, CriticConfig config) {
        if (n < config.batch()) {
            throw new IllegalArgumentException("Critic training needs at least batch=" + config.batch()
                    + " tokens, got " + n);
        }
        org.infometer.estimate.Blas.loadBeforeNativeEngines();
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        Engine engine = Engine.getEngine("PyTorch");
        int in = cx + cy;
        int h = config.hidden();
        int extra = config.layers() - 1;
        SplittableRandom rng = new SplittableRandom(config.seed());
        int tenths = Math.min(10, config.steps());
        double[] curve = new double[tenths];
        int[] curveCount = new int[tenths];
        FlowTrainer.TRAINING_LOCK.lock();
        // One intra-op thread: the tensors are small (a K x K x hidden block at most), so more threads only contend
        // with Spark's task threads; the count is per thread in the CPU build and restored afterwards.
        int threads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
        // Grad mode is thread-local and on by default in any thread the engine was not created on (the driver's
        // main thread once a flow fit started the engine on an executor thread); the collector below only records
        // inside its scope, and the in-place Adam update on the parameters is refused while grad mode is on.
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            // p: W1x (h x cx), W1y (h x cy), b1, then per extra layer W (h x h), b, then w2 (h x 1), b2.
            NDArray[] p = new NDArray[5 + 2 * extra];
            float[] w1 = init(rng, h * in, Math.sqrt(2.0 / in));
            p[0] = m.create(columns(w1, h, in, 0, cx), new Shape(h, cx));
            p[1] = m.create(columns(w1, h, in, cx, cy), new Shape(h, cy));
            p[2] = m.zeros(new Shape(h));
            for (int l = 0; l < extra; l++) {
                p[3 + 2 * l] = m.create(init(rng, h * h, Math.sqrt(2.0 / h)), new Shape(h, h));
                p[4 + 2 * l] = m.zeros(new Shape(h));
            }
            p[3 + 2 * extra] = m.create(init(rng, h, Math.sqrt(1.0 / h)), new Shape(h, 1));
            p[4 + 2 * extra] = m.zeros(new Shape(1));
            NDArray[] mom = new NDArray[p.length];
            NDArray[] vel = new NDArray[p.length];
            for (int k = 0; k < p.length; k++) {
                p[k].setRequiresGradient(true);
                mom[k] = m.zeros(p[k].getShape());
                vel[k] = m.zeros(p[k].getShape());
            }
            double ema = Double.NaN;
            int b = config.batch();
            for (int step = 1; step <= config.steps(); step++) {
                int[] idx = sample(rng, n, b);
                double value;
                try (NDScope scope = new NDScope()) {
                    try (GradientCollector gc = engine.newGradientCollector()) {
                        NDArray loss;
                        NDArray xb = m.create(rows(x, idx, cx), new Shape(b, cx));
                        if (bound == Bound.MINE) {
                            NDArray tj = head(p, extra, xb.matMul(p[0].transpose())
                                    .add(m.create(rows(y, idx, cy), new Shape(b, cy)).matMul(p[1].transpose()))
                                    .add(p[2]));
                            NDArray em = head(p, extra, xb.matMul(p[0].transpose())
                                    .add(m.create(rows(y, shuffle(rng, idx), cy), new Shape(b, cy))
                                            .matMul(p[1].transpose())).add(p[2])).exp().mean();
                            double e = em.getFloat();
                            double t = tj.mean().getFloat();
                            value = t - Math.log(e);
                            ema = Double.isNaN(ema) ? e : (1 - config.emaRate()) * ema + config.emaRate() * e;
                            loss = em.div(ema).sub(tj.mean());
                        } else {
                            NDArray ax = xb.matMul(p[0].transpose()).reshape(b, 1, h);
                            NDArray ay = m.create(rows(y, idx, cy), new Shape(b, cy)).matMul(p[1].transpose())
                                    .add(p[2]).reshape(1, b, h);
                            NDArray s = head(p, extra, ax.add(ay).reshape(b * b, h)).reshape(b, b);
                            loss = s.logSoftmax(1).mul(m.eye(b)).sum(new int[] {1}).mean().neg();
                            value = Math.log(b) - loss.getFloat();
                        }
                        gc.backward(loss);
                    }
                    adam(p, mom, vel, step, config.learningRate());
                    scope.suppressNotUsedWarning();
                }
                int tenth = (int) ((long) (step - 1) * tenths / config.steps());
                curve[tenth] += value;
                curveCount[tenth]++;
            }
            for (int t = 0; t < tenths; t++) {
                curve[t] /= curveCount[t];
            }
            float[] wx = p[0].toFloatArray();
            float[] wy = p[1].toFloatArray();
            float[] w1t = new float[h * in];
            for (int r = 0; r < h; r++) {
                System.arraycopy(wx, r * cx, w1t, r * in, cx);
                System.arraycopy(wy, r * cy, w1t, r * in + cx, cy);
            }
            float[][] wh = new float[extra][];
            float[][] bh = new float[extra][];
            for (int l = 0; l < extra; l++) {
                wh[l] = p[3 + 2 * l].toFloatArray();
                bh[l] = p[4 + 2 * l].toFloatArray();
            }
            Critic critic = new Critic(cx, cy, h, w1t, p[2].toFloatArray(), wh, bh, p[3 + 2 * extra].toFloatArray(),
                    p[4 + 2 * extra].toFloatArray()[0]);
            return new Trained(critic, curve);
        } finally {
            JniUtils.setGradMode(gradMode);
            JniUtils.setNumThreads(threads);
            FlowTrainer.TRAINING_LOCK.unlock();
        }
    }

    /** relu of the first layer's pre-activations, the further layers, then the output: one T per row. */
    private static NDArray head(NDArray[] p, int extra, NDArray pre) {
        NDArray a = pre.maximum(0f);
        for (int l = 0; l < extra; l++) {
            // W is stored as (out x in): a . W^T.
            a = a.matMul(p[3 + 2 * l].transpose()).add(p[4 + 2 * l]).maximum(0f);
        }
        return a.matMul(p[3 + 2 * extra]).add(p[4 + 2 * extra]).reshape(-1);
    }

    private static float[] columns(float[] w, int rows, int cols, int from, int count) {
        float[] out = new float[rows * count];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(w, r * cols + from, out, r * count, count);
        }
        return out;
    }

    private static float[] rows(float[] a, int[] idx, int c) {
        float[] out = new float[idx.length * c];
        for (int r = 0; r < idx.length; r++) {
            System.arraycopy(a, idx[r] * c, out, r * c, c);
        }
        return out;
    }

    private static void adam(NDArray[] p, NDArray[] mom, NDArray[] vel, int step, double lr) {
        double c1 = 1 - Math.pow(BETA1, step);
        double c2 = 1 - Math.pow(BETA2, step);
        for (int k = 0; k < p.length; k++) {
            NDArray g = p[k].getGradient();
            mom[k].muli(BETA1).addi(g.mul(1 - BETA1));
            vel[k].muli(BETA2).addi(g.square().mul(1 - BETA2));
            p[k].subi(mom[k].div(c1).div(vel[k].div(c2).sqrt().add(EPS)).mul(lr));
            g.subi(g);
        }
    }

    private static float[] init(SplittableRandom rng, int size, double scale) {
        float[] w = new float[size];
        for (int i = 0; i < size; i++) {
            w[i] = (float) (gaussian(rng) * scale);
        }
        return w;
    }

    static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    private static int[] sample(SplittableRandom rng, int n, int b) {
        int[] idx = new int[b];
        for (int i = 0; i < b; i++) {
            idx[i] = rng.nextInt(n);
        }
        return idx;
    }

    static int[] shuffle(SplittableRandom rng, int[] idx) {
        int[] out = idx.clone();
        for (int i = out.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }
}
