package org.infometer.report.state;

import org.infometer.estimate.ExactSums;

import java.io.Serializable;

/**
 * Order-independent sums ({@link ExactSums}) that also take non-finite terms, as a floating-point sum would: a NaN
 * term, or infinities of both signs, make the entry NaN; infinities of one sign make it that infinity. A scored
 * sample may carry NaN entropies (the variational estimators) or non-finite codelengths (which the validity
 * checks report), and the statistics must then come out as the list-based reductions' do, not throw.
 *
 * <p>Positive terms and the magnitudes of negative ones are summed apart: {@link ExactSums#get} reads a negative
 * total through a low word near 2^64 and so to only about 1e-11 absolute, a non-negative one to about 1e-16
 * relative; the difference of the two totals is as accurate as a floating-point sum of the same terms.
 */
final class FiniteSums implements Serializable {

    private static final long serialVersionUID = 1L;

    private final ExactSums positiveTerms;
    private final ExactSums negativeTerms;
    private final long[] nan;
    private final long[] positive;
    private final long[] negative;

    FiniteSums(int size) {
        positiveTerms = new ExactSums(size);
        negativeTerms = new ExactSums(size);
        nan = new long[size];
        positive = new long[size];
        negative = new long[size];
    }

    int size() {
        return nan.length;
    }

    void add(int index, double v) {
        if (Double.isFinite(v)) {
            if (v >= 0) {
                positiveTerms.addTerm(index, v);
            } else {
                negativeTerms.addTerm(index, -v);
            }
        } else if (Double.isNaN(v)) {
            nan[index]++;
        } else if (v > 0) {
            positive[index]++;
        } else {
            negative[index]++;
        }
    }

    FiniteSums merge(FiniteSums o) {
        positiveTerms.merge(o.positiveTerms);
        negativeTerms.merge(o.negativeTerms);
        for (int i = 0; i < nan.length; i++) {
            nan[i] += o.nan[i];
            positive[i] += o.positive[i];
            negative[i] += o.negative[i];
        }
        return this;
    }

    double get(int index) {
        if (nan[index] > 0 || positive[index] > 0 && negative[index] > 0) {
            return Double.NaN;
        }
        if (positive[index] > 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (negative[index] > 0) {
            return Double.NEGATIVE_INFINITY;
        }
        return positiveTerms.get(index) - negativeTerms.get(index);
    }
}
