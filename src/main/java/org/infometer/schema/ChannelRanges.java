package org.infometer.schema;

import org.apache.spark.util.AccumulatorV2;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-run range (min, max) of every channel of both modalities over the valid rows, collected as a Spark
 * accumulator while the passes that read the maps anyway validate them, so finding a constant channel costs no
 * extra pass. Min and max are idempotent, so a retried task or a second pass over the same rows (fit, then
 * apply) leaves the value unchanged.
 *
 * <p>Usage: {@code spark.sparkContext().register(ranges, name)}, hand {@code validator.recording(ranges)} to the
 * passes, then read {@link #constantChannels} on the driver after an action.
 */
public final class ChannelRanges extends AccumulatorV2<ChannelRanges.RowRange, Map<String, ChannelRanges.RowRange>> {

    /**
     * Channel minima and maxima of x then y (length cx + cy), for one row or merged over a run; a row gives its
     * varying channels the range (-inf, +inf), as only whether a channel is constant is asked of these ranges.
     */
    public record RowRange(String runId, int channelsX, float[] min, float[] max) implements java.io.Serializable {

        RowRange merged(RowRange o) {
            if (o.min.length != min.length || o.channelsX != channelsX) {
                // Rows of one run that pass validation share its channel counts; keep the first shape seen.
                return this;
            }
            float[] lo = min.clone();
            float[] hi = max.clone();
            for (int i = 0; i < lo.length; i++) {
                lo[i] = Math.min(lo[i], o.min[i]);
                hi[i] = Math.max(hi[i], o.max[i]);
            }
            return new RowRange(runId, channelsX, lo, hi);
        }
    }

    private final TreeMap<String, RowRange> byRun = new TreeMap<>();

    @Override
    public boolean isZero() {
        return byRun.isEmpty();
    }

    @Override
    public AccumulatorV2<RowRange, Map<String, RowRange>> copy() {
        ChannelRanges c = new ChannelRanges();
        c.byRun.putAll(byRun);
        return c;
    }

    @Override
    public void reset() {
        byRun.clear();
    }

    @Override
    public void add(RowRange r) {
        byRun.merge(r.runId(), r, RowRange::merged);
    }

    @Override
    public void merge(AccumulatorV2<RowRange, Map<String, RowRange>> other) {
        if (other instanceof ChannelRanges c) {
            c.byRun.values().forEach(this::add);
        } else {
            other.value().values().forEach(this::add);
        }
    }

    /**
     * A snapshot: the scheduler hands the driver-side value to the UI listener, which prints it on its own thread
     * while later tasks are merged in; a live map made that print fail with ConcurrentModificationException.
     */
    @Override
    public Map<String, RowRange> value() {
        return java.util.Collections.unmodifiableMap(new TreeMap<>(byRun));
    }

    /**
     * The channels of a run whose every valid token holds the same value, as "camera channel 2 (= 1.5)"; empty
     * for a run without valid rows.
     */
    public List<String> constantChannels(String runId, String x, String y) {
        RowRange r = byRun.get(runId);
        List<String> out = new ArrayList<>();
        if (r == null) {
            return out;
        }
        for (int i = 0; i < r.min().length; i++) {
            if (r.min()[i] == r.max()[i]) {
                boolean isX = i < r.channelsX();
                out.add((isX ? x : y) + " channel " + (isX ? i : i - r.channelsX()) + " (= " + r.min()[i] + ")");
            }
        }
        return out;
    }
}
