package org.infometer.estimate;

import java.io.Serializable;

/**
 * Out-of-sample codelengths of one sample's pair of feature maps, in bits, summed over its tokens, and its
 * pointwise mutual information {@code miBits} (= {@code hX + hY - hXY} for an entropy model; it can be negative
 * for a single sample). Estimators that bound MI directly (the variational ones) give MI only: their entropies are
 * NaN, and {@link #hasEntropies()} is false (the tables write NULL).
 */
public record SampleCodelengths(double hxBits, double hyBits, double hxyBits, double miBits) implements Serializable {

    /** Codelengths of an entropy model; MI follows from them. */
    public SampleCodelengths(double hxBits, double hyBits, double hxyBits) {
        this(hxBits, hyBits, hxyBits, hxBits + hyBits - hxyBits);
    }

    /** A sample's MI from an estimator that gives no entropies. */
    public static SampleCodelengths miOnly(double miBits) {
        return new SampleCodelengths(Double.NaN, Double.NaN, Double.NaN, miBits);
    }

    public boolean hasEntropies() {
        return !(Double.isNaN(hxBits) && Double.isNaN(hyBits) && Double.isNaN(hxyBits));
    }
}
