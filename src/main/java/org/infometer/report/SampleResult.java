package org.infometer.report;

import org.infometer.estimate.SceneBlockStats;

import java.io.Serializable;

/**
 * One scored sample, as the reductions and the sample table see it; {@code block} (may be null) describes its
 * tokens in the run's scene coordinates, for the scene-level refit ({@link SceneValues}); {@code inFoldMiBits}
 * (null for most samples) is its MI under a model fitted with it, for the overfit check. {@code miBits} is
 * {@code hxBits + hyBits - hxyBits} for entropy models; estimators that give MI only (the variational bounds) have
 * NaN entropies ({@link #hasEntropies()} false), which the tables write as NULL.
 */
public record SampleResult(String runId, String sceneToken, String sampleToken, Long timestamp, int fold,
                           int tokens, double hxBits, double hyBits, double hxyBits, SceneBlockStats block,
                           Double inFoldMiBits, double miBits) implements Serializable {

    public SampleResult(String runId, String sceneToken, String sampleToken, Long timestamp, int fold, int tokens,
                        double hxBits, double hyBits, double hxyBits, SceneBlockStats block, Double inFoldMiBits) {
        this(runId, sceneToken, sampleToken, timestamp, fold, tokens, hxBits, hyBits, hxyBits, block, inFoldMiBits,
                hxBits + hyBits - hxyBits);
    }

    /** A sample of an estimator that gives MI only. */
    public static SampleResult miOnly(String runId, String sceneToken, String sampleToken, Long timestamp, int fold,
                                      int tokens, double miBits, Double inFoldMiBits) {
        return new SampleResult(runId, sceneToken, sampleToken, timestamp, fold, tokens, Double.NaN, Double.NaN,
                Double.NaN, null, inFoldMiBits, miBits);
    }

    public SampleResult(String runId, String sceneToken, String sampleToken, Long timestamp, int fold, int tokens,
                        double hxBits, double hyBits, double hxyBits) {
        this(runId, sceneToken, sampleToken, timestamp, fold, tokens, hxBits, hyBits, hxyBits, null, null);
    }

    public SampleResult(String runId, String sceneToken, String sampleToken, Long timestamp, int fold, int tokens,
                        double hxBits, double hyBits, double hxyBits, SceneBlockStats block) {
        this(runId, sceneToken, sampleToken, timestamp, fold, tokens, hxBits, hyBits, hxyBits, block, null);
    }

    /** The same sample with its codelengths shifted by {@code dx, dy, dxy} bits. */
    public SampleResult shifted(double dx, double dy, double dxy) {
        return new SampleResult(runId, sceneToken, sampleToken, timestamp, fold, tokens, hxBits + dx, hyBits + dy,
                hxyBits + dxy, block, inFoldMiBits, miBits + dx + dy - dxy);
    }

    public boolean hasEntropies() {
        return !(Double.isNaN(hxBits) && Double.isNaN(hyBits) && Double.isNaN(hxyBits));
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
