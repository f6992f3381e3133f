package org.infometer.synth;

import java.io.Serializable;

/**
 * Size and seed of a synthetic nuScenes-like data set. {@link #nuscenesVal()} is the full val split
 * (6,019 samples would be 150 scenes x 40 samples = 6,000 here), 900 x 256 per modality.
 */
public record GenerateConfig(String out, int runs, int scenes, int samplesPerScene, int tokens, int channelsX,
                             int channelsY, int latent, long seed, int partitions, String x, String y)
        implements Serializable {

    public GenerateConfig {
        if (runs < 1 || scenes < 1 || samplesPerScene < 1 || tokens < 1 || channelsX < 1 || channelsY < 1
                || latent < 1) {
            throw new IllegalArgumentException("runs, scenes, samples per scene, tokens, channels and latent "
                    + "factors must all be at least 1");
        }
        if (latent > Math.min(channelsX, channelsY)) {
            throw new IllegalArgumentException("latent factors (" + latent + ") cannot exceed the channels of "
                    + "either modality (" + channelsX + ", " + channelsY + ")");
        }
    }

    /** Private latent factors per modality (unique information), when the channels leave room for them. */
    public int privateFactors() {
        return latent + 2 <= Math.min(channelsX, channelsY) ? 2 : 0;
    }

    public long samples() {
        return (long) runs * scenes * samplesPerScene;
    }

    public double featureBytes() {
        return samples() * (double) tokens * (channelsX + channelsY) * 4;
    }

    /** Small and quick: the demo's default. */
    public static GenerateConfig demo(String out) {
        return new GenerateConfig(out, 4, 24, 10, 60, 32, 32, 4, 7, 0, "camera", "lidar");
    }

    public static GenerateConfig nuscenesVal(String out) {
        return new GenerateConfig(out, 1, 150, 40, 900, 256, 256, 8, 7, 0, "camera", "lidar");
    }

    public GenerateConfig withSize(int runs, int scenes, int samplesPerScene, int tokens, int cx, int cy) {
        return new GenerateConfig(out, runs, scenes, samplesPerScene, tokens, cx, cy, latent, seed, partitions, x, y);
    }
}
