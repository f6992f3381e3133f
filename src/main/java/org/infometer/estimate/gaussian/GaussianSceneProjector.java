package org.infometer.estimate.gaussian;

import org.infometer.estimate.JointMoments;
import org.infometer.estimate.SceneBlockStats;
import org.infometer.estimate.SampleMoments;
import org.infometer.estimate.SceneProjector;

import java.util.List;

/**
 * The run's leading canonical coordinates from a Gaussian pair model fitted on all of the run's folds (rank chosen
 * by held-out gain, at most {@link #MAX_PAIRS}). Every estimator's scene values use these coordinates, so the
 * Gaussian moments of the fit pass are all a scene refit needs.
 */
public final class GaussianSceneProjector implements SceneProjector {

    private static final long serialVersionUID = 1L;
    /** Per-sample statistics grow as (2r)^2; eight pairs keep them at 2 KB and the per-scene fit well determined. */
    public static final int MAX_PAIRS = 8;
    public static final int EXTRA_PAIRS = 2;

    private final GaussianPairModel model;

    private GaussianSceneProjector(GaussianPairModel model) {
        this.model = model;
    }

    /** The run's projector, or null when the run's model keeps no canonical pair (nothing to refit). */
    public static GaussianSceneProjector fit(List<JointMoments> folds) {
        return of(GaussianPairFitter.fitSelectingRank(folds), folds);
    }

    /**
     * As {@link #fit(List)} with the rank already chosen (by the estimator's own cross-fitted folds): one
     * decomposition of the run's moments instead of one per held-out fold as well.
     */
    public static GaussianSceneProjector fitWithRank(List<JointMoments> folds, int rank) {
        JointMoments all = null;
        for (JointMoments m : folds) {
            all = all == null ? m.copy() : all.merge(m);
        }
        return of(GaussianPairFitter.fitWithRank(all, rank, Double.NaN), folds);
    }

    private static GaussianSceneProjector of(GaussianPairFitter.RankedFit fit, List<JointMoments> folds) {
        // Two pairs beyond the run's rank: a scene's dependence can sit in directions the run ranks just below its
        // cut-off (on generated data, coverage of scene intervals 92 % with the rank alone, 94 % with two more).
        int available = Math.min(folds.get(0).channelsX(), folds.get(0).channelsY());
        int r = fit.rank() == 0 ? 0 : Math.min(Math.min(fit.rank() + EXTRA_PAIRS, MAX_PAIRS), available);
        return r == 0 ? null : new GaussianSceneProjector(fit.full().truncate(r));
    }

    @Override
    public int pairs() {
        return model.rank();
    }

    /** From the sample's moments, as every sample of the job is described (one definition). */
    @Override
    public SceneBlockStats stats(float[] x, float[] y, int tokens) {
        return stats(SampleMoments.of(x, y, tokens, model.channelsX(), model.channelsY(), new SampleMoments.Workspace()));
    }

    @Override
    public SceneBlockStats stats(SampleMoments moments) {
        return model.canonicalStats(moments);
    }
}
