package org.infometer.estimate;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.infometer.progress.Progress;
import org.infometer.schema.RowValidator;

import java.io.Serializable;
import java.util.Map;

/**
 * An estimator as the measurement job plugs it in: from the validated features it produces, for every (run,
 * fold), a model fitted without that fold. The job then scores each fold with its own model (apply) and reduces.
 *
 * <p>Usage: {@code fit(features, validator, settings, progress)} on the driver (it may launch Spark passes), then
 * broadcast {@link Fitted#models()} to {@code spark.ShardRunner.apply}.
 */
public interface CrossFitEstimator {

    String name();

    Fitted fit(Dataset<Row> features, RowValidator validator, Settings settings, Progress progress);

    /**
     * Whether this estimator's models score from per-sample moments ({@link MomentScoring}): then its fit pass can
     * keep each sample's {@link SampleMoments} for the apply pass (see {@link Settings#keepMoments()}).
     */
    default boolean scoresFromMoments() {
        return false;
    }

    /** Where a moment-scoring estimator's fit pass keeps each sample's moments for the apply pass. */
    enum MomentStore {
        /** Not kept: the apply pass reads the feature maps again (the same bits). */
        NONE,
        /** In the executors' memory. */
        MEMORY,
        /** On the executors' local disks (moments too large for memory; still a fraction of the maps). */
        DISK
    }

    /**
     * What every estimator needs to know: folds, the root seed, estimator-specific options, and where a
     * moment-scoring estimator keeps the samples' moments (others ignore it).
     */
    record Settings(int folds, long seed, String granularity, Map<String, Object> options, MomentStore keepMoments)
            implements Serializable {

        /** Moments kept in memory. */
        public Settings(int folds, long seed, String granularity, Map<String, Object> options) {
            this(folds, seed, granularity, options, MomentStore.MEMORY);
        }
    }

    /**
     * Fitted models per (run, fold), per-run diagnostics (run id to {@code run_mi} column to value, the columns
     * its {@link EstimatorSpec#diagnostics()} declares, e.g. the Gaussian model's kept rank), when the estimator
     * has them at no extra cost, the runs' {@link SceneProjector}s (the job fits them otherwise), and the
     * per-(run, fold) token moments of its fit pass (null when it made none; channel MI needs them), and the
     * samples' own moments when the fit pass kept them for the apply pass (persisted; null otherwise).
     */
    record Fitted(Map<RunFold, ? extends PairModelHandle> models, Map<String, Map<String, Double>> diagnosticsByRun,
                  Map<String, SceneProjector> sceneProjectors, Map<RunFold, JointMoments> moments,
                  JavaRDD<MomentRow> samples) {

        public Fitted(Map<RunFold, ? extends PairModelHandle> models, Map<String, Map<String, Double>> diagnosticsByRun,
                      Map<String, SceneProjector> sceneProjectors, Map<RunFold, JointMoments> moments) {
            this(models, diagnosticsByRun, sceneProjectors, moments, null);
        }

        public Fitted(Map<RunFold, ? extends PairModelHandle> models,
                      Map<String, Map<String, Double>> diagnosticsByRun) {
            this(models, diagnosticsByRun, null, null, null);
        }
    }
}
