package org.infometer.estimate.flow;

/**
 * One sample's pair of feature maps, row-major {@code tokens x channels} (token t, channel c at
 * {@code t * channels + c}).
 *
 * <p>Usage: map each row of a partition to {@code new PairSample(x, y, tokens)} and hand the iterator to
 * {@link FlowTrainer#fit}; the arrays are copied only if buffered, so they may be reused afterwards.
 */
public record PairSample(float[] x, float[] y, int tokens) implements java.io.Serializable {

    public PairSample {
        if (x == null || y == null) {
            throw new IllegalArgumentException("PairSample needs both maps, got x=" + (x == null ? "null" : "set")
                    + ", y=" + (y == null ? "null" : "set"));
        }
        if (tokens <= 0) {
            throw new IllegalArgumentException("PairSample.tokens must be positive, got " + tokens);
        }
    }

    void check(int channelsX, int channelsY, long index) {
        if (x.length != (long) tokens * channelsX || y.length != (long) tokens * channelsY) {
            throw new IllegalArgumentException("Sample #" + index + " has x.length=" + x.length + ", y.length="
                    + y.length + "; expected tokens*channels = " + tokens + "*" + channelsX + " and " + tokens + "*"
                    + channelsY);
        }
    }
}
