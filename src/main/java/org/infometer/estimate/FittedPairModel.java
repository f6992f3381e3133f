package org.infometer.estimate;

/**
 * A fitted entropy model for a pair of modalities X and Y: it turns one sample's maps into codelengths
 * H(X), H(Y) and H(X,Y) in bits (an invertible transform followed by an entropy model for each of X, Y and
 * the concatenation (X,Y), as InfoMeter does).
 *
 * <p>Usage: obtain one from an estimator's fit (or a {@link PairModelHandle} on an executor), call
 * {@link #score} once per sample, {@link #close()} when the task is done.
 *
 * <p>Maps are row-major {@code tokens x channels} float arrays: token {@code t}, channel {@code c} is at
 * {@code t * channels + c}. Implementations must be deterministic: the same input gives the same bits.
 */
public interface FittedPairModel extends AutoCloseable {

    /** Estimator name stored beside every result, e.g. {@code gaussian} or {@code flow-token}. */
    String estimator();

    int channelsX();

    int channelsY();

    /** Codelengths of one sample, in bits, summed over its {@code tokens} tokens. */
    SampleCodelengths score(float[] x, float[] y, int tokens);

    /** Releases native resources; a no-op for pure-JVM models. */
    @Override
    default void close() {
    }
}
