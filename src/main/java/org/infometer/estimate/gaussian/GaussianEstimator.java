package org.infometer.estimate.gaussian;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.infometer.estimate.CrossFitEstimator;
import org.infometer.estimate.JointMoments;
import org.infometer.estimate.RunFold;
import org.infometer.estimate.SceneProjector;
import org.infometer.progress.Progress;
import org.infometer.schema.RowValidator;
import org.infometer.spark.ShardRunner;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The Gaussian estimator on Spark: one pass for exact per-fold moments, then driver-side cross-fitted models. */
public final class GaussianEstimator implements CrossFitEstimator {

    @Override
    public String name() {
        return "gaussian";
    }

    @Override
    public Fitted fit(Dataset<Row> features, RowValidator validator, Settings settings, Progress progress) {
        features.sparkSession().sparkContext().setJobDescription("infometer: fit pass (per-fold moments)");
        Map<RunFold, JointMoments> moments = ShardRunner.fitMoments(features, validator, settings.folds(),
                settings.seed());
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
        return new Fitted(models, diagnostics, projectors, moments);
    }
}
