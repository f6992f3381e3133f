package org.infometer.estimate.flow;

import java.nio.file.Path;

/**
 * Thrown by {@link FlowModelStore#load} and the {@link FlowModelHandle} factories; catch it to report the
 * mismatch as a failed measurement rather than a crashed job.
 * A saved flow model was fitted on a different input schema than the caller is about to score: applying it
 * would produce codelengths for the wrong channels. Names both fingerprints and the model path.
 */
public final class FingerprintMismatchException extends IllegalArgumentException {

    private final String storedFingerprint;
    private final String expectedFingerprint;
    private final Path modelPath;

    public FingerprintMismatchException(Path modelPath, String storedFingerprint, String expectedFingerprint) {
        super("Flow model at " + modelPath + " was fitted on input schema fingerprint '" + storedFingerprint
                + "' but the caller expects '" + expectedFingerprint
                + "'; refit the model on this input or load the model made for it");
        this.storedFingerprint = storedFingerprint;
        this.expectedFingerprint = expectedFingerprint;
        this.modelPath = modelPath;
    }

    public String storedFingerprint() {
        return storedFingerprint;
    }

    public String expectedFingerprint() {
        return expectedFingerprint;
    }

    public Path modelPath() {
        return modelPath;
    }
}
