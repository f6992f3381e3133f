package org.infometer.estimate;

import java.io.Serializable;

/**
 * A run's fixed coordinates for scene-level refits: maps one sample's X and Y maps to the statistics of its tokens
 * in the run's leading canonical coordinates. One projector per run, fitted on the whole run, broadcast to the
 * apply pass, so every sample of a run is described in the same coordinates whatever its fold.
 */
public interface SceneProjector extends Serializable {

    /** Canonical pairs r described by each sample's statistics. */
    int pairs();

    SceneBlockStats stats(float[] x, float[] y, int tokens);

    /** The same statistics from the sample's moments (every statistic of a Gaussian projector is linear in them). */
    SceneBlockStats stats(SampleMoments moments);
}
