package org.infometer.estimate;

import org.infometer.schema.Rejection;

import java.io.Serializable;

/**
 * What the fit pass keeps of one input row for the apply pass when the estimator scores from moments
 * ({@link MomentScoring}): the row's identity, its fold and its {@link SampleMoments}, or why it was rejected.
 * No feature maps.
 */
public record MomentRow(String runId, String sceneToken, String sampleToken, Long timestamp, String sourceFile,
                        int fold, SampleMoments moments, Rejection rejection) implements Serializable {

    public boolean rejected() {
        return rejection != null;
    }
}
