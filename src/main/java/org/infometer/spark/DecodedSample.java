package org.infometer.spark;

import java.io.Serializable;

/**
 * One valid feature row as every pass sees it: its identity, token count, channels per modality and (when the pass
 * asked for them) the x and y maps, token-major ({@code tokens * xChannels} and {@code tokens * yChannels} floats).
 * {@code timestamp} and {@code sourceFile} may be null; {@code x} and {@code y} are null when not decoded.
 */
public record DecodedSample(String runId, String sceneToken, String sampleToken, Long timestamp, String sourceFile,
                            int tokens, int xChannels, int yChannels, float[] x, float[] y) implements Serializable {

    /** Whether the maps were decoded. */
    public boolean hasMaps() {
        return x != null;
    }
}
