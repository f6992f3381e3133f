package org.infometer.estimate;

import java.io.Serializable;

/** A run and a cross-fitting fold: the key of per-shard states and of fitted models. */
public record RunFold(String runId, int fold) implements Serializable, Comparable<RunFold> {

    @Override
    public int compareTo(RunFold o) {
        int c = runId.compareTo(o.runId);
        return c != 0 ? c : Integer.compare(fold, o.fold);
    }
}
