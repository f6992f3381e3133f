package org.infometer.estimate;

import org.infometer.schema.Rejection;

import java.io.Serializable;

/**
 * What the apply pass returns for one input row: either its codelengths or why it was rejected. Small by design,
 * so the driver can collect these instead of raw maps.
 */
public record ScoredRow(String runId, String sceneToken, String sampleToken, Long timestamp, String sourceFile,
                        int fold, int tokens, SampleCodelengths bits, Rejection rejection) implements Serializable {

    public boolean rejected() {
        return rejection != null;
    }
}
