package org.infometer.correlate.nuscenes;

import java.io.Serializable;
import java.util.List;

/**
 * What one sample contributes to the curves: ground-truth counts per class after filtering, and one match
 * record per kept prediction.
 *
 * <p>Usage: returned by {@link SampleMatcher#match}; add {@code npos} into the group's counts and route each
 * record to its (group, class) curve.
 *
 * @param npos evaluated ground-truth boxes per class, indexed by {@link DetectionClass#ordinal()}
 */
public record SampleOutcome(String sampleToken, long[] npos, List<MatchRecord> records) implements Serializable {
}
