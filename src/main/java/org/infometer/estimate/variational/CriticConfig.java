package org.infometer.estimate.variational;

import java.io.Serializable;

/**
 * Training settings of a critic. {@code batch} is also InfoNCE's K, so it sets that bound's ceiling ln K;
 * {@code emaRate} is the weight of the newest batch in MINE's moving average of the partition term;
 * {@code layers} is the number of hidden layers of {@code hidden} units.
 */
public record CriticConfig(int hidden, int layers, int steps, int batch, double learningRate, double emaRate,
                           long seed) implements Serializable {

    public CriticConfig {
        if (hidden <= 0 || layers <= 0 || steps <= 0 || batch < 2) {
            throw new IllegalArgumentException("CriticConfig needs hidden > 0, layers > 0, steps > 0, batch >= 2; got "
                    + "hidden=" + hidden + ", layers=" + layers + ", steps=" + steps + ", batch=" + batch);
        }
        if (!(learningRate > 0) || !(emaRate > 0 && emaRate <= 1)) {
            throw new IllegalArgumentException("CriticConfig needs learningRate > 0 and 0 < emaRate <= 1; got "
                    + learningRate + ", " + emaRate);
        }
    }

    /** One hidden layer. */
    public CriticConfig(int hidden, int steps, int batch, double learningRate, double emaRate, long seed) {
        this(hidden, 1, steps, batch, learningRate, emaRate, seed);
    }

    public static CriticConfig defaults(long seed) {
        return new CriticConfig(64, 1500, 128, 2e-3, 0.01, seed);
    }

    /** The same settings with another seed. */
    public CriticConfig withSeed(long newSeed) {
        return new CriticConfig(hidden, layers, steps, batch, learningRate, emaRate, newSeed);
    }

    /** The same settings with another batch size. */
    public CriticConfig withBatch(int newBatch) {
        return new CriticConfig(hidden, layers, steps, newBatch, learningRate, emaRate, seed);
    }
}
