package org.infometer.estimate.variational;

import org.infometer.estimate.CrossFitEstimator;
import org.infometer.estimate.EstimatorSpec;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code mine} and {@code infonce} in the registry: token granularity, options in {@link VariationalOptions}, and
 * per-run diagnostics the validity checks read: InfoNCE's ceiling log2 K, the folds whose critic diverged or
 * did not converge, and the mean training subsample.
 */
public final class VariationalEstimatorSpec implements EstimatorSpec {

    /** InfoNCE's ceiling ln K, in bits per token (log2 K); NULL for MINE. */
    public static final String CEILING = "bound_ceiling_bits_per_token";
    /** Folds whose critic training gave non-finite values. */
    public static final String DIVERGED = "critic_diverged_folds";
    /** Folds whose training curve was still moving at the end (README, "Validity status"). */
    public static final String UNCONVERGED = "critic_unconverged_folds";
    /** Mean over folds of the tokens a critic was trained on. */
    public static final String TRAIN_TOKENS = "critic_train_tokens_mean";

    private final Bound bound;

    public VariationalEstimatorSpec(Bound bound) {
        this.bound = bound;
    }

    @Override
    public String name() {
        return bound.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public List<String> granularities() {
        return List.of("token");
    }

    @Override
    public String label(String granularity) {
        return name();
    }

    @Override
    public List<String> options() {
        return VariationalOptions.KNOWN;
    }

    @Override
    public List<String> diagnostics() {
        return List.of(CEILING, DIVERGED, UNCONVERGED, TRAIN_TOKENS);
    }

    @Override
    public CrossFitEstimator create(String granularity, Map<String, Object> options) {
        refuseUnknownOptions(options);
        return new VariationalEstimator(bound, name(), VariationalOptions.parse(options));
    }
}
