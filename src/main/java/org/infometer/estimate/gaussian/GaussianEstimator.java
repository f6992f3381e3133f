package org.infometer.estimate.gaussian;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.infometer.estimate.CrossFitEstimator;
import org.infometer.estimate.JointMoments;
import org.infometer.estimate.MomentRow;
import org.infometer.estimate.RunFold;
import org.infometer.estimate.SceneProjector;
import org.infometer.progress.Progress;
import org.infometer.schema.RowValidator;
import org.infometer.spark.SampleMomentsPass;
import org.infometer.spark.ShardRunner;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Gaussian estimator on Spark: one pass for exact per-fold moments, then driver-side cross-fitted models. The
 * pass keeps each sample's moments for the apply pass unless {@link Settings#keepMoments()} is NONE (the models
 * score from moments, so the feature maps are read once).
 */
public final class GaussianEstimator implements CrossFitEstimator {

    @Override
    public String name() {
        return "gaussian";
    }

    @Override
    public boolean scoresFromMoments() {
        return true;
    }

    @Override
    public Fitted fit(Dataset<Row> features, RowValidator validator, Settings settings, Progress progress) {
        features.sparkSession().sparkContext().setJobDescription("infometer: fit pass (per-fold moments)");
        JavaRDD<MomentRow> kept = null;
        Map<RunFold, JointMoments> moments = null;
        if (settings.keepMoments() == MomentStore.NONE) {
            moments = ShardRunner.fitMoments(features, validator, settings.folds(), settings.seed());
        } else {
            kept = SampleMomentsPass.keep(features, validator, settings.folds(), settings.seed(),
                    settings.keepMoments() == MomentStore.MEMORY ? StorageLevel.MEMORY_ONLY()
                            : StorageLevel.DISK_ONLY());
        }
        try {
            if (kept != null) {
                moments = SampleMomentsPass.foldMoments(kept);
            }
            return fitModels(moments, kept, progress);
        } catch (RuntimeException e) {
            if (kept != null) {
                kept.unpersist(false);
            }
            throw e;
        }
    }

    private static Fitted fitModels(Map<RunFold, JointMoments> moments, JavaRDD<MomentRow> kept, Progress progress) {
        Map<String, Map<Integer, JointMoments>> byRun = new TreeMap<>();
        moments.forEach((k, v) -> byRun.computeIfAbsent(k.runId(), r -> new TreeMap<>()).put(k.fold(), v));
        Map<RunFold, GaussianPairModel> models = new TreeMap<>();
        Map<String, Map<String, Double>> diagnostics = new TreeMap<>();
        Map<String, SceneProjector> projectors = new TreeMap<>();
        for (Map.Entry<String, Map<Integer, JointMoments>> e : byRun.entrySet()) {
            Map<Integer, GaussianPairFitter.FoldFit> fits;
            try {
                fits = GaussianPairFitter.fitCrossFitted(e.getValue());
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("Run " + e.getKey() + ": " + ex.getMessage(), ex);
            }
            double rankSum = 0;
            int rankMax = 0;
            for (GaussianPairFitter.FoldFit f : fits.values()) {
                models.put(new RunFold(e.getKey(), f.fold()), f.model());
                rankSum += f.rank();
                rankMax = Math.max(rankMax, f.rank());
            }
            diagnostics.put(e.getKey(), Map.of(GaussianEstimatorSpec.RANK_MEAN, rankSum / fits.size()));
            // The folds' largest rank: the scene coordinates may hold more pairs than one fold kept, never fewer.
            GaussianSceneProjector projector = GaussianSceneProjector.fitWithRank(
                    List.copyOf(e.getValue().values()), rankMax);
            if (projector != null) {
                projectors.put(e.getKey(), projector);
            }
            GaussianPairFitter.FoldFit first = fits.values().iterator().next();
            progress.info(String.format("run %s: %d folds fitted on %,d tokens each (fold 1), kept canonical "
                            + "pairs per fold %s", e.getKey(), fits.size(), first.trainTokens(),
                    fits.values().stream().map(f -> String.valueOf(f.rank())).toList()));
        }
        return new Fitted(models, diagnostics, projectors, moments, kept);
    }
}
