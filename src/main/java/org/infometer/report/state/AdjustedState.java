package org.infometer.report.state;

import org.infometer.report.Validity;

import java.io.Serializable;

/** The second pass's state of a scene: the sums of its scene-refit values and how the refits went. */
final class AdjustedState implements Mergeable<AdjustedState>, Serializable {

    private static final long serialVersionUID = 1L;

    private final ValueSums values = new ValueSums(SampleValues.WIDTH);
    private final RefitSums refit = new RefitSums();

    void add(SceneTotals.Refit r, String sampleToken) {
        if (r.adjusted() == null) {
            refit.failed(sampleToken, r.trainTokens());
            return;
        }
        refit.refitted(r.trainTokens());
        values.add(SampleValues.of(r.adjusted()), r.adjusted().tokens(),
                Validity.finite(r.adjusted()));
    }

    @Override
    public AdjustedState merge(AdjustedState o) {
        values.merge(o.values);
        refit.merge(o.refit);
        return this;
    }

    ValueSums values() {
        return values;
    }

    RefitSums refit() {
        return refit;
    }
}
