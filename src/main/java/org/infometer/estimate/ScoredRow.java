package org.infometer.estimate;

import org.infometer.schema.FeatureContract;
import org.infometer.schema.Rejection;

import java.io.Serializable;

/**
 * What the apply pass returns for one input row: either its codelengths or why it was rejected. Small by design,
 * so the driver can collect these instead of raw maps.
 */
public record ScoredRow(String runId, String sceneToken, String sampleToken, Long timestamp, String sourceFile,
                        int fold, int tokens, SampleCodelengths bits, Rejection rejection, SceneBlockStats block,
                        SampleCodelengths inFold) implements Serializable {

    /** The identifying columns of a contract row (nulls kept), not yet scored or rejected. */
    public static ScoredRow identity(org.apache.spark.sql.catalyst.InternalRow row) {
        return new ScoredRow(string(row, FeatureContract.RUN_ID), string(row, FeatureContract.SCENE),
                string(row, FeatureContract.SAMPLE),
                row.isNullAt(FeatureContract.TIMESTAMP) ? null : row.getLong(FeatureContract.TIMESTAMP),
                string(row, FeatureContract.FILE), -1, 0, null, null, null, null);
    }

    /** The row's identity with the reason it was rejected. */
    public static ScoredRow rejected(org.apache.spark.sql.catalyst.InternalRow row, Rejection rejection) {
        ScoredRow id = identity(row);
        return new ScoredRow(id.runId, id.sceneToken, id.sampleToken, id.timestamp, id.sourceFile, -1, 0, null,
                rejection, null, null);
    }

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

    /** A string column of a contract row, or null. */
    public static String string(org.apache.spark.sql.catalyst.InternalRow row, int ordinal) {
        return row.isNullAt(ordinal) ? null : row.getUTF8String(ordinal).toString();
    }

    public boolean rejected() {
        return rejection != null;
    }
}
