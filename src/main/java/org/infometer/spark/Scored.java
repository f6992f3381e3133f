package org.infometer.spark;

import org.infometer.estimate.MomentRow;
import org.infometer.estimate.SampleCodelengths;
import org.infometer.estimate.ScoredRow;

/** {@link ScoredRow}s from decoded rows: the identity columns carried over, nothing else of the row. */
public final class Scored {

    private Scored() {
    }

    /** A valid sample scored in {@code fold}. */
    public static ScoredRow of(DecodedSample s, int fold, SampleCodelengths bits) {
        return new ScoredRow(s.runId(), s.sceneToken(), s.sampleToken(), s.timestamp(), s.sourceFile(), fold,
                s.tokens(), bits, null, null, null);
    }

    /** A valid sample whose kept moments were scored (in its fold, over its tokens). */
    public static ScoredRow of(MomentRow r, SampleCodelengths bits) {
        return new ScoredRow(r.runId(), r.sceneToken(), r.sampleToken(), r.timestamp(), r.sourceFile(), r.fold(),
                r.moments().tokens(), bits, null, null, null);
    }

    /** A row the fit pass rejected, with its reason. */
    public static ScoredRow rejected(MomentRow r) {
        return new ScoredRow(r.runId(), r.sceneToken(), r.sampleToken(), r.timestamp(), r.sourceFile(), -1, 0, null,
                r.rejection(), null, null);
    }

    /** A rejected row with its reason. */
    public static ScoredRow rejected(RejectedRow r) {
        return new ScoredRow(r.runId(), r.sceneToken(), r.sampleToken(), r.timestamp(), r.sourceFile(), -1, 0, null,
                r.rejection(), null, null);
    }
}
