package org.infometer.report.state;

import java.io.Serializable;

/**
 * First-order sums of a group of samples, each given as {@code width} per-sample quantities q_j and its token
 * count t: the count, tokens, the largest t, the samples with non-finite codelengths, the sums of q_j and of q_j / t,
 * and the range of both. Sums are exact ({@link FiniteSums}), counts integers, ranges exact: merging in any order
 * gives the same state. The ranges size the centred sums of the next pass ({@link Pilot}).
 */
final class ValueSums implements Mergeable<ValueSums>, Serializable {

    private static final long serialVersionUID = 1L;

    private final int width;
    private long samples;
    private long tokens;
    private long maxTokens;
    private long nonFinite;
    /** [0, width): sum of q_j; [width, 2 width): sum of q_j / t. */
    private final FiniteSums sums;
    private final double[] min;
    private final double[] max;

    ValueSums(int width) {
        this.width = width;
        sums = new FiniteSums(2 * width);
        min = new double[2 * width];
        max = new double[2 * width];
        java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
    }

    void add(double[] q, int t, boolean finite) {
        samples++;
        tokens += t;
        maxTokens = Math.max(maxTokens, t);
        nonFinite += finite ? 0 : 1;
        for (int j = 0; j < width; j++) {
            record(j, q[j]);
            record(width + j, q[j] / t);
        }
    }

    private void record(int i, double v) {
        sums.add(i, v);
        // Math.min and max keep a NaN whichever side it is on, so the ranges do not depend on the order either.
        min[i] = Math.min(min[i], v);
        max[i] = Math.max(max[i], v);
    }

    @Override
    public ValueSums merge(ValueSums o) {
        samples += o.samples;
        tokens += o.tokens;
        maxTokens = Math.max(maxTokens, o.maxTokens);
        nonFinite += o.nonFinite;
        sums.merge(o.sums);
        for (int i = 0; i < min.length; i++) {
            min[i] = Math.min(min[i], o.min[i]);
            max[i] = Math.max(max[i], o.max[i]);
        }
        return this;
    }

    ValueSums copy() {
        return new ValueSums(width).merge(this);
    }

    int width() {
        return width;
    }

    long samples() {
        return samples;
    }

    long tokens() {
        return tokens;
    }

    long maxTokens() {
        return maxTokens;
    }

    long nonFinite() {
        return nonFinite;
    }

    /** Sum of q_j. */
    double sum(int j) {
        return sums.get(j);
    }

    /** Sum of q_j / t. */
    double perTokenSum(int j) {
        return sums.get(width + j);
    }

    /** Largest distance of q_j from c. */
    double spread(int j, double c) {
        return Math.max(Math.abs(max[j] - c), Math.abs(min[j] - c));
    }

    /** Largest distance of q_j / t from c. */
    double perTokenSpread(int j, double c) {
        return Math.max(Math.abs(max[width + j] - c), Math.abs(min[width + j] - c));
    }
}
