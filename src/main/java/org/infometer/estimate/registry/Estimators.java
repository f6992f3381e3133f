package org.infometer.estimate.registry;

import org.infometer.estimate.CrossFitEstimator;
import org.infometer.estimate.EstimatorSpec;
import org.infometer.estimate.flow.FlowEstimatorSpec;
import org.infometer.estimate.gaussian.GaussianEstimatorSpec;
import org.infometer.estimate.variational.Bound;
import org.infometer.estimate.variational.VariationalEstimatorSpec;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The estimators a job may name. Adding one is a package with an {@link EstimatorSpec} and one line in
 * {@link #REGISTERED}; job validation, the factory, table labels and diagnostic columns all read this list.
 */
public final class Estimators {

    private static final List<EstimatorSpec> REGISTERED = List.of(
            new GaussianEstimatorSpec(),
            new FlowEstimatorSpec(),
            new VariationalEstimatorSpec(Bound.MINE),
            new VariationalEstimatorSpec(Bound.INFONCE));

    private Estimators() {
    }

    public static List<EstimatorSpec> all() {
        return REGISTERED;
    }

    public static List<String> names() {
        return REGISTERED.stream().map(EstimatorSpec::name).toList();
    }

    /** The registered estimator of that name, or null. */
    public static EstimatorSpec find(String name) {
        return REGISTERED.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }

    public static EstimatorSpec spec(String name) {
        EstimatorSpec s = find(name);
        if (s == null) {
            throw new IllegalArgumentException("Unknown estimator " + name + "; known: " + String.join(", ", names()));
        }
        return s;
    }

    public static CrossFitEstimator create(String name, String granularity, Map<String, Object> options) {
        return spec(name).create(granularity, options);
    }

    /** Every {@code run_mi} diagnostic column any registered estimator fills, in registration order. */
    public static List<String> diagnosticColumns() {
        Set<String> out = new LinkedHashSet<>();
        REGISTERED.forEach(s -> out.addAll(s.diagnostics()));
        return List.copyOf(out);
    }
}
