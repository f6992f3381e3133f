package org.infometer.estimate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the job needs to know of an estimator before it runs: its name in job files, the granularities it works
 * at, the label its rows carry in the tables, the options it accepts, the {@code run_mi} columns its
 * {@link CrossFitEstimator.Fitted#diagnosticsByRun() diagnostics} fill, and how to build it from a job's options.
 *
 * <p>Usage: an estimator package provides one implementation and registers it with one line in
 * {@code org.infometer.estimate.registry.Estimators}; nothing else in the job names an estimator.
 */
public interface EstimatorSpec {

    /** The {@code estimator.name} of job files. */
    String name();

    /** The {@code estimator.granularity} values it supports; the first is the default. */
    List<String> granularities();

    /** The {@code estimator} column of every table row it produces. */
    String label(String granularity);

    /** Every {@code estimator.options} key it understands; any other key is refused. */
    List<String> options();

    /** The {@code run_mi} columns its per-run diagnostics fill (null for runs it has no value for). */
    List<String> diagnostics();

    /**
     * The estimator for a job, its options parsed and validated before Spark reads data.
     *
     * @throws IllegalArgumentException naming the option, for an unknown option or a value out of range
     */
    CrossFitEstimator create(String granularity, Map<String, Object> options);

    /** Refuses option keys that {@link #options()} does not list, naming the first and the known ones. */
    default void refuseUnknownOptions(Map<String, Object> options) {
        if (options == null) {
            return;
        }
        List<String> unknown = new ArrayList<>(options.keySet());
        unknown.removeAll(options());
        if (!unknown.isEmpty()) {
            unknown.sort(null);
            throw new IllegalArgumentException("Invalid job config: estimator.options: unknown option '"
                    + unknown.get(0) + "'; the " + name() + " estimator knows "
                    + (options().isEmpty() ? "no options" : String.join(", ", options())));
        }
    }
}
