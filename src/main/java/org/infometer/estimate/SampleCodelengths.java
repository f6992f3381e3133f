package org.infometer.estimate;

import java.io.Serializable;

/**
 * Out-of-sample codelengths of one sample's pair of feature maps, in bits, summed over its tokens.
 * Pointwise mutual information follows as {@code hX + hY - hXY}; it can be negative for a single sample.
 */
public record SampleCodelengths(double hxBits, double hyBits, double hxyBits) implements Serializable {

    public double miBits() {
        return hxBits + hyBits - hxyBits;
    }
}
