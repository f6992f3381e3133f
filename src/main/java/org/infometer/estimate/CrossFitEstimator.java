package org.infometer.estimate;

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

    /** What every estimator needs to know: folds, the root seed, and estimator-specific options. */
    record Settings(int folds, long seed, String granularity, Map<String, Object> options) implements Serializable {
    }

    /**
     * Fitted models per (run, fold), per-run diagnostics (run id to {@code run_mi} column to value, the columns
     * its {@link EstimatorSpec#diagnostics()} declares, e.g. the Gaussian model's kept rank), when the estimator
     * has them at no extra cost, the runs' {@link SceneProjector}s (the job fits them otherwise), and the
     * per-(run, fold) token moments of its fit pass (null when it made none; channel MI needs them).
     */
    record Fitted(Map<RunFold, ? extends PairModelHandle> models, Map<String, Map<String, Double>> diagnosticsByRun,
                  Map<String, SceneProjector> sceneProjectors, Map<RunFold, JointMoments> moments) {

        public Fitted(Map<RunFold, ? extends PairModelHandle> models,
                      Map<String, Map<String, Double>> diagnosticsByRun) {
            this(models, diagnosticsByRun, null, null);
        }
    }
}
