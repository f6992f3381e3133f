package org.infometer.validate;

import java.util.SplittableRandom;

/**
 * One benchmark task with a closed-form mutual information: a sampler of i.i.d. (x, y) token pairs and the
 * truth. Every transform a task applies is invertible per modality, so the truth is the MI of its base
 * distribution (the invariance the benchmark is built on).
 *
 * @param name        stable identifier, used in tables and on the command line
 * @param family      the benchmark family (multinormal-dense, student-t, spiral, ...)
 * @param dx          channels of X per token
 * @param dy          channels of Y per token
 * @param truthNats   I(X; Y) per token in nats
 * @param fixedSamples when positive, the task always has this many samples of one token whatever N is asked
 *                    (the high-dimensional independence test is defined by its small sample size)
 * @param sampler     draws one token; executors look tasks up by name (samplers are not shipped)
 */
public record BenchmarkTask(String name, String family, int dx, int dy, double truthNats, int fixedSamples,
                            Sampler sampler) {

    /** Draws one token's x (length dx) and y (length dy). */
    @FunctionalInterface
    public interface Sampler {
        void draw(SplittableRandom rnd, double[] x, double[] y);
    }

    public BenchmarkTask {
        if (dx < 1 || dy < 1 || !(truthNats >= 0)) {
            throw new IllegalArgumentException("task " + name + ": dims must be positive and the truth >= 0");
        }
    }

    public String dims() {
        return dx + "+" + dy;
    }

    public double truthBits() {
        return truthNats / Math.log(2);
    }

    /** Acceptance tolerance of the bmi benchmark: within max(10 %, 0.05 nats) of the truth. */
    public double toleranceNats() {
        return Math.max(0.1 * truthNats, 0.05);
    }
}
