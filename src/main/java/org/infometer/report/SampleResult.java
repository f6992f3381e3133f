package org.infometer.report;

import java.io.Serializable;

/** One scored sample, as the reductions and the sample table see it. */
public record SampleResult(String runId, String sceneToken, String sampleToken, Long timestamp, int fold,
                           int tokens, double hxBits, double hyBits, double hxyBits) implements Serializable {

    public double miBits() {
        return hxBits + hyBits - hxyBits;
    }

    /** The named per-sample quantity in bits: hx, hy, hxy, mi, hx_given_y, hy_given_x. */
    public double quantity(String name) {
        return switch (name) {
            case "hx" -> hxBits;
            case "hy" -> hyBits;
            case "hxy" -> hxyBits;
            case "mi" -> miBits();
            case "hx_given_y" -> hxyBits - hyBits;
            case "hy_given_x" -> hxyBits - hxBits;
            default -> throw new IllegalArgumentException("Unknown quantity " + name);
        };
    }
}
