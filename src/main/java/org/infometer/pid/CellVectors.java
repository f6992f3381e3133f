package org.infometer.pid;

import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Count tables of one set of samples, all at once: for each occupied cell (a packed {@link SampleCounts} key), a
 * vector of counts whose column 0 is the plug-in table (every sample once) and column 1 + j the table in which
 * each sample counts {@code multiplicity[j]} times (the bootstrap replicates, see {@link PidBootstrap#draw}).
 *
 * <p>A mergeable state: counts are longs added exactly, so merging partitions' states in any order gives the
 * same tables. Size: occupied cells x width longs, bounded by the cells of the table, not by the samples.
 */
public final class CellVectors implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int width;
    private final HashMap<Long, long[]> cells = new HashMap<>();

    /** Empty tables with {@code width} columns (1 + the number of weighted tables). */
    public CellVectors(int width) {
        if (width < 1) {
            throw new IllegalArgumentException("width must be >= 1, got " + width);
        }
        this.width = width;
    }

    public int width() {
        return width;
    }

    /**
     * Adds {@code count} tokens of {@code cell} of one sample: once to the plug-in column and
     * {@code multiplicity[j]} times to column 1 + j ({@code multiplicity} null when width is 1).
     */
    public void add(long cell, long count, int[] multiplicity) {
        int weighted = multiplicity == null ? 0 : multiplicity.length;
        if (weighted != width - 1) {
            throw new IllegalArgumentException("expected " + (width - 1) + " multiplicities, got " + weighted);
        }
        long[] v = cells.computeIfAbsent(cell, c -> new long[width]);
        v[0] += count;
        for (int j = 0; j < weighted; j++) {
            v[j + 1] += multiplicity[j] * count;
        }
    }

    /** Adds {@code other}'s counts into these and returns these. */
    public CellVectors merge(CellVectors other) {
        if (other.width != width) {
            throw new IllegalArgumentException("cannot merge tables of width " + other.width + " into width " + width);
        }
        for (Map.Entry<Long, long[]> e : other.cells.entrySet()) {
            long[] v = cells.get(e.getKey());
            if (v == null) {
                cells.put(e.getKey(), e.getValue().clone());
            } else {
                long[] o = e.getValue();
                for (int j = 0; j < width; j++) {
                    v[j] += o[j];
                }
            }
        }
        return this;
    }

    /** The occupied cells, ascending (the order the per-sample counts' sums were built in). */
    public long[] sortedCells() {
        long[] keys = new long[cells.size()];
        int i = 0;
        for (long c : cells.keySet()) {
            keys[i++] = c;
        }
        Arrays.sort(keys);
        return keys;
    }

    /** Column {@code column} of {@code cell} (0 for a cell no sample has). */
    public long count(long cell, int column) {
        long[] v = cells.get(cell);
        return v == null ? 0 : v[column];
    }

    public int occupiedCells() {
        return cells.size();
    }
}
