package org.infometer.estimate;

import org.infometer.schema.Rejection;

import java.io.Serializable;

/**
 * What the apply pass returns for one input row: either its codelengths or why it was rejected. Small by design
 * (no feature maps): the scored rows stay an RDD on the executors and are reduced and written from there.
 */
public record ScoredRow(String runId, String sceneToken, String sampleToken, Long timestamp, String sourceFile,
                        int fold, int tokens, SampleCodelengths bits, Rejection rejection, SceneBlockStats block,
                        SampleCodelengths inFold) implements Serializable {

    /** This row scored in {@code fold} over {@code tokens} tokens. */
    public ScoredRow withScore(int fold, int tokens, SampleCodelengths bits) {
        return new ScoredRow(runId, sceneToken, sampleToken, timestamp, sourceFile, fold, tokens, bits, null, null,
                null);
    }

    /** This scored row with its statistics in the run's scene coordinates (see {@link SceneProjector}). */
    public ScoredRow withBlock(SceneBlockStats stats) {
        return new ScoredRow(runId, sceneToken, sampleToken, timestamp, sourceFile, fold, tokens, bits, rejection,
                stats, inFold);
    }

    /** This scored row with its codelengths under a model that was fitted with it (the overfit check). */
    public ScoredRow withInFold(SampleCodelengths seen) {
        return new ScoredRow(runId, sceneToken, sampleToken, timestamp, sourceFile, fold, tokens, bits, rejection,
                block, seen);
    }

    public boolean rejected() {
        return rejection != null;
    }
}
