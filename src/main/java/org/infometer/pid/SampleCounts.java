package org.infometer.pid;

import java.io.Serializable;

/**
 * One sample's contribution to the joint counts of (camera cluster, LiDAR cluster, target) for one cluster count:
 * sparse cells (packed {@code (x1 * k + x2) * 2^32 + target} keys, sorted) and their token counts. Small, so the
 * driver can hold one per sample for the bootstrap. A row that could not be counted carries its reason in
 * {@code rejection} (and no cells), so it is reported rather than dropped.
 */
public record SampleCounts(String runId, String sceneToken, String sampleToken, int kIndex, long[] cells,
                           long[] counts, String rejection) implements Serializable {

    public static SampleCounts rejected(String runId, String sampleToken, String reason) {
        return new SampleCounts(runId, null, sampleToken, -1, new long[0], new long[0], reason);
    }

    public static long pack(int x1, int x2, int k, int target) {
        return ((long) (x1 * k + x2) << 32) | (target & 0xffffffffL);
    }

    public static int x1(long cell, int k) {
        return (int) (cell >>> 32) / k;
    }

    public static int x2(long cell, int k) {
        return (int) (cell >>> 32) % k;
    }

    public static int target(long cell) {
        return (int) cell;
    }
}
