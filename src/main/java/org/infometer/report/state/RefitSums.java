package org.infometer.report.state;

import java.io.Serializable;

/**
 * How a scene's held-out refits went, sample by sample: the fewest training tokens among the refitted samples, and
 * the first sample (by sample token, so in any order the same one) whose training set could not support a fit,
 * with its training tokens, which is what a scene left unrefitted reports.
 */
final class RefitSums implements Mergeable<RefitSums>, Serializable {

    private static final long serialVersionUID = 1L;

    private long minTrainTokens = Long.MAX_VALUE;
    private String failedSample;
    private long failedTrainTokens;

    void refitted(long trainTokens) {
        minTrainTokens = Math.min(minTrainTokens, trainTokens);
    }

    void failed(String sampleToken, long trainTokens) {
        int c = failedSample == null ? -1 : sampleToken.compareTo(failedSample);
        if (c < 0 || c == 0 && trainTokens < failedTrainTokens) {
            failedSample = sampleToken;
            failedTrainTokens = trainTokens;
        }
    }

    @Override
    public RefitSums merge(RefitSums o) {
        minTrainTokens = Math.min(minTrainTokens, o.minTrainTokens);
        if (o.failedSample != null) {
            failed(o.failedSample, o.failedTrainTokens);
        }
        return this;
    }

    boolean failed() {
        return failedSample != null;
    }

    /** The training tokens the scene reports: the failed sample's, or the fewest of all refits. */
    long trainTokens() {
        return failed() ? failedTrainTokens : minTrainTokens;
    }
}
