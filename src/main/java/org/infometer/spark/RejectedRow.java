package org.infometer.spark;

import org.infometer.schema.Rejection;

import java.io.Serializable;

/** An input row the validator refused: whatever identity it has (any part may be null) and why. */
public record RejectedRow(String runId, String sceneToken, String sampleToken, Long timestamp, String sourceFile,
                          Rejection rejection) implements Serializable {
}
