package org.infometer.estimate.variational;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
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

    /** Trains on {@code n} tokens (row-major {@code x}: n x cx, {@code y}: n x cy). */
    public static Critic train(float[] x, float[] y, int n, int cx, int cy, Bound bound, CriticConfig config) {
        if (n < config.batch()) {
            throw new IllegalArgumentException("Critic training needs at least batch=" + config.batch()
                    + " tokens, got " + n);
        }
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        Engine engine = Engine.getEngine("PyTorch");
        int in = cx + cy;
        int h = config.hidden();
        SplittableRandom rng = new SplittableRandom(config.seed());
        FlowTrainer.TRAINING_LOCK.lock();
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray[] p = {
                    m.create(init(rng, h * in, Math.sqrt(2.0 / in)), new Shape(h, in)),
                    m.zeros(new Shape(h)),
                    m.create(init(rng, h, Math.sqrt(1.0 / h)), new Shape(h, 1)),
                    m.zeros(new Shape(1))};
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
                try (NDScope scope = new NDScope()) {
                    try (GradientCollector gc = engine.newGradientCollector()) {
                        NDArray loss;
                        if (bound == Bound.MINE) {
                            NDArray tj = forward(p, m.create(pairs(x, y, idx, idx, cx, cy), new Shape(b, in)));
                            NDArray em = forward(p, m.create(pairs(x, y, idx, shuffle(rng, idx), cx, cy),
                                    new Shape(b, in))).exp().mean();
                            double e = em.getFloat();
                            ema = Double.isNaN(ema) ? e : (1 - config.emaRate()) * ema + config.emaRate() * e;
                            loss = em.div(ema).sub(tj.mean());
                        } else {
                            NDArray s = forward(p, m.create(allPairs(x, y, idx, cx, cy), new Shape(b * b, in)))
                                    .reshape(b, b);
                            loss = s.logSoftmax(1).mul(m.eye(b)).sum(new int[] {1}).mean().neg();
                        }
                        gc.backward(loss);
                    }
                    adam(p, mom, vel, step, config.learningRate());
                    scope.suppressNotUsedWarning();
                }
            }
            return new Critic(cx, cy, h, p[0].toFloatArray(), p[1].toFloatArray(), p[2].toFloatArray(),
                    p[3].toFloatArray()[0]);
        } finally {
            FlowTrainer.TRAINING_LOCK.unlock();
        }
    }

    private static NDArray forward(NDArray[] p, NDArray z) {
        return z.matMul(p[0].transpose()).add(p[1]).maximum(0f).matMul(p[2]).add(p[3]).reshape(-1);
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

    private static float[] pairs(float[] x, float[] y, int[] ix, int[] iy, int cx, int cy) {
        int in = cx + cy;
        float[] z = new float[ix.length * in];
        for (int r = 0; r < ix.length; r++) {
            System.arraycopy(x, ix[r] * cx, z, r * in, cx);
            System.arraycopy(y, iy[r] * cy, z, r * in + cx, cy);
        }
        return z;
    }

    private static float[] allPairs(float[] x, float[] y, int[] idx, int cx, int cy) {
        int b = idx.length;
        int[] ix = new int[b * b];
        int[] iy = new int[b * b];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                ix[i * b + j] = idx[i];
                iy[i * b + j] = idx[j];
            }
        }
        return pairs(x, y, ix, iy, cx, cy);
    }
}
