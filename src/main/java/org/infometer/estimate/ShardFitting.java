package org.infometer.estimate;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.infometer.progress.Progress;
import org.infometer.schema.RowValidator;


/**
 * Optional capability of a {@link CrossFitEstimator}: fit and score inside each input partition (shard) instead
 * of fit on the driver's plan and apply with broadcast models. When {@link #perShard()} is true the measurement
 * job calls {@link #fitAndScore} in place of {@code fit} + {@code spark.ShardRunner.apply}.
 *
 * <p>Contract: every input row comes back exactly once, valid rows with out-of-fold codelengths (the model that
 * scores a row never saw that row's fold), invalid rows with their rejection, each tagged with its shard.
 */
public interface ShardFitting {

    /** Whether this estimator, as configured, fits per shard. */
    boolean perShard();

    /** The scored rows, on the executors (persist them when they are used more than once). */
    JavaRDD<ShardScoredRow> fitAndScore(Dataset<Row> features, RowValidator validator,
                                     CrossFitEstimator.Settings settings, Progress progress);
}
