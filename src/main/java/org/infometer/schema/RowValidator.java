package org.infometer.schema;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.unsafe.Platform;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;

/**
 * Row-level checks of the features contract, applied identically in every pass so that the fit and apply passes
 * agree on which rows count. Run-level expectations (channels per run, duplicated keys) come from a cheap scan of
 * the scalar columns before the heavy passes.
 *
 * <p>Usage: {@code new RowValidator(contract, channelsByRun, duplicates)}, then {@link #check} per row; a
 * {@code null} result means the row is valid and {@link #map} may be read.
 */
public final class RowValidator implements Serializable {

    /**
     * Largest feature magnitude accepted, 2^24. The fit keeps sums of products of values in 128-bit fixed point
     * ({@code ExactSums}: 2^79 in all, 2^-48 resolution), so with values below 2^24 a run can hold 2^31 tokens at
     * that magnitude before a sum could overflow; larger values (1e30, or near the float maximum 3.4e38) would
     * fail the whole fit, so their rows are quarantined instead. MI is invariant to rescaling a channel, so such
     * data can be rescaled without changing what is measured.
     */
    public static final float MAX_ABS_VALUE = 0x1p24f;

    private final FeatureContract contract;
    private final Map<String, int[]> channelsByRun;
    private final Map<String, Long> duplicates;
    private final ChannelRanges ranges;
    private final Map<String, String> unfittableRuns;
    private final boolean measurement;

    /**
     * @param channelsByRun run id to {x channels, y channels}, the most common values in that run
     * @param duplicates    "run_id\u0000sample_token" to occurrence count, for keys that occur more than once
     */
    public RowValidator(FeatureContract contract, Map<String, int[]> channelsByRun, Map<String, Long> duplicates) {
        this(contract, channelsByRun, duplicates, null, Map.of(), false);
    }

    private RowValidator(FeatureContract contract, Map<String, int[]> channelsByRun, Map<String, Long> duplicates,
                         ChannelRanges ranges, Map<String, String> unfittableRuns, boolean measurement) {
        this.contract = contract;
        this.channelsByRun = channelsByRun;
        this.duplicates = duplicates;
        this.ranges = ranges;
        this.unfittableRuns = unfittableRuns;
        this.measurement = measurement;
    }

    /**
     * The same checks plus those only the MI measurement needs: values beyond {@link #MAX_ABS_VALUE} (its exact
     * sums) and a y map identical to the x map (infinite MI). The PID job discretises the maps instead, where
     * neither is a problem (identical maps are pure redundancy there).
     */
    public RowValidator forMeasurement() {
        return new RowValidator(contract, channelsByRun, duplicates, ranges, unfittableRuns, true);
    }

    /** Whether (run, sample) occurs more than once in the input (every copy is then quarantined). */
    public boolean isDuplicate(String runId, String sampleToken) {
        return duplicates.containsKey(key(runId, sampleToken));
    }

    /**
     * The same checks, also quarantining every row of the given runs (run id to reason), e.g. runs too small
     * to be cross-fitted.
     */
    public RowValidator excludingRuns(Map<String, String> reasons) {
        return new RowValidator(contract, channelsByRun, duplicates, ranges, Map.copyOf(reasons), measurement);
    }

    /**
     * The same checks, also recording every valid row's channel ranges into {@code ranges} (a registered
     * accumulator), for the constant-channel check on the driver.
     */
    public RowValidator recording(ChannelRanges ranges) {
        return new RowValidator(contract, channelsByRun, duplicates, ranges, unfittableRuns, measurement);
    }

    /** The same checks without recording channel ranges (for passes after the one that records them). */
    public RowValidator notRecording() {
        return ranges == null ? this : new RowValidator(contract, channelsByRun, duplicates, null, unfittableRuns,
                measurement);
    }

    /**
     * The float maps a valid row was checked with, handed over so a pass need not copy them again: the checks
     * already copy every value out once, and a second and third copy per row (the maps, the channel ranges) were
     * a tenth of every pass's time on the quarter-val bench.
     */
    public static final class Maps {
        private float[] x;
        private float[] y;

        /** The x map of the row last checked valid with this holder (null when that row was not checked). */
        public float[] x() {
            return x;
        }

        public float[] y() {
            return y;
        }

        void keep(int ordinal, float[] map) {
            if (ordinal == FeatureContract.X) {
                x = map;
            } else {
                y = map;
            }
        }

        /** Forgets the maps (the next row's check fills them again). */
        public void clear() {
            x = null;
            y = null;
        }
    }

    /** The pair of modality columns the rows are validated against. */
    public FeatureContract contract() {
        return contract;
    }

    /** {x channels, y channels} of a run (the most common values there), or null for an unknown run. */
    public int[] channels(String runId) {
        int[] c = channelsByRun.get(runId);
        return c == null ? null : c.clone();
    }

    public static String key(String runId, String sampleToken) {
        return runId + "\u0000" + sampleToken;
    }

    public Rejection check(InternalRow row) {
        return check(row, new Maps());
    }

    /**
     * As {@link #check(InternalRow)}; when the row is valid, {@code maps} holds its x and y maps (fresh arrays the
     * caller may keep).
     */
    public Rejection check(InternalRow row, Maps maps) {
        maps.clear();
        for (int o : new int[] {FeatureContract.RUN_ID, FeatureContract.SCENE, FeatureContract.SAMPLE}) {
            if (row.isNullAt(o)) {
                return new Rejection("null_key", contract.columnAt(o), contract.columnAt(o) + " is null");
            }
        }
        for (int o : new int[] {FeatureContract.RUN_ID, FeatureContract.SCENE, FeatureContract.SAMPLE}) {
            // An empty or blank token cannot be told apart from a missing one downstream (joins, reports).
            if (row.getUTF8String(o).toString().isBlank()) {
                return new Rejection("empty_key", contract.columnAt(o), contract.columnAt(o) + " is empty"
                        + (row.getUTF8String(o).numBytes() > 0 ? " (only whitespace)" : ""));
            }
        }
        String run = row.getUTF8String(FeatureContract.RUN_ID).toString();
        String sample = row.getUTF8String(FeatureContract.SAMPLE).toString();
        Long dup = duplicates.get(key(run, sample));
        if (dup != null) {
            return new Rejection("duplicate_key", null, "(run_id, sample_token) = (" + run + ", " + sample
                    + ") appears " + dup + " times; every copy is quarantined");
        }
        String unfittable = unfittableRuns.get(run);
        if (unfittable != null) {
            return new Rejection("run_too_small", "sample_token", unfittable);
        }
        Rejection r = checkModality(row, FeatureContract.X, contract.x(), maps);
        if (r == null) {
            r = checkModality(row, FeatureContract.Y, contract.y(), maps);
        }
        if (r != null) {
            maps.clear();
            return r;
        }
        int tx = row.getInt(FeatureContract.X_TOKENS);
        int ty = row.getInt(FeatureContract.Y_TOKENS);
        if (tx != ty) {
            maps.clear();
            return new Rejection("token_mismatch", contract.y() + "_tokens", contract.x() + "_tokens = " + tx
                    + " but " + contract.y() + "_tokens = " + ty + "; token-level pairing needs equal token counts");
        }
        int[] expected = channelsByRun.get(run);
        int cx = row.getInt(FeatureContract.X_CHANNELS);
        int cy = row.getInt(FeatureContract.Y_CHANNELS);
        if (expected != null && expected[0] != cx) {
            maps.clear();
            return new Rejection("channel_mismatch", contract.x() + "_channels", contract.x() + "_channels = " + cx
                    + " but run " + run + " uses " + expected[0] + " (its most common value)");
        }
        if (expected != null && expected[1] != cy) {
            maps.clear();
            return new Rejection("channel_mismatch", contract.y() + "_channels", contract.y() + "_channels = " + cy
                    + " but run " + run + " uses " + expected[1] + " (its most common value)");
        }
        if (measurement && cx == cy && identical(maps.x, maps.y)) {
            maps.clear();
            return new Rejection("identical_modalities", contract.y(), contract.y() + " is identical to "
                    + contract.x() + " (all " + (long) tx * cx + " values): the MI of two identical continuous maps "
                    + "is infinite, so no finite estimate of it means anything; check the step that wrote "
                    + contract.y());
        }
        if (ranges != null) {
            ranges.add(range(run, maps.x, maps.y, tx, cx, cy));
        }
        return null;
    }

    private static boolean identical(float[] a, float[] b) {
        int n = a.length;
        if (b.length != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The row's channel ranges as the constant-channel check needs them: a channel whose tokens all hold one value
     * gets min = max = that value, any other channel (-inf, +inf). Comparing bit patterns against the first token
     * is integer work the JIT vectorises, four times faster than a float min and max per value (a tenth of the
     * apply pass before); adding +0.0 first makes -0.0 and 0.0 one value, as they compare equal.
     */
    private static ChannelRanges.RowRange range(String run, float[] x, float[] y, int t, int cx, int cy) {
        float[] min = new float[cx + cy];
        float[] max = new float[cx + cy];
        constantOrUnbounded(x, t, cx, min, max, 0);
        constantOrUnbounded(y, t, cy, min, max, cx);
        return new ChannelRanges.RowRange(run, cx, min, max);
    }

    private static void constantOrUnbounded(float[] map, int t, int c, float[] min, float[] max, int offset) {
        int[] first = new int[c];
        int[] differs = new int[c];
        for (int j = 0; j < c; j++) {
            first[j] = Float.floatToRawIntBits(map[j] + 0.0f);
        }
        for (int i = 1; i < t; i++) {
            int o = i * c;
            for (int j = 0; j < c; j++) {
                differs[j] |= Float.floatToRawIntBits(map[o + j] + 0.0f) ^ first[j];
            }
        }
        for (int j = 0; j < c; j++) {
            boolean constant = differs[j] == 0;
            min[offset + j] = constant ? map[j] + 0.0f : Float.NEGATIVE_INFINITY;
            max[offset + j] = constant ? map[j] + 0.0f : Float.POSITIVE_INFINITY;
        }
    }

    /** Whether this validator records the channel ranges of the rows it passes (see {@link #recording}). */
    public boolean records() {
        return ranges != null;
    }

    /**
     * Records a valid row's channel ranges, exactly as {@link #check} would, for a pass that checked the row with
     * {@link #notRecording()} and knows which channels vary: a channel j with {@code varies.test(j)} (joint
     * index, x channels first) is unbounded, every other is compared value by value. A pass that has each
     * sample's centred sums of squares (the Gram diagonal: zero for a constant channel, as its mean is its value)
     * skips the comparison of every channel that varies, a tenth of its time per row.
     */
    public void record(String run, float[] x, float[] y, int t, int cx, int cy, java.util.function.IntPredicate varies) {
        if (ranges == null) {
            return;
        }
        float[] min = new float[cx + cy];
        float[] max = new float[cx + cy];
        constantOrUnbounded(x, t, cx, min, max, 0, varies, 0);
        constantOrUnbounded(y, t, cy, min, max, cx, varies, cx);
        ranges.add(new ChannelRanges.RowRange(run, cx, min, max));
    }

    private static void constantOrUnbounded(float[] map, int t, int c, float[] min, float[] max, int offset,
                                            java.util.function.IntPredicate varies, int joint) {
        for (int j = 0; j < c; j++) {
            boolean constant = !varies.test(joint + j);
            if (constant) {
                int first = Float.floatToRawIntBits(map[j] + 0.0f);
                for (int i = 1; i < t && constant; i++) {
                    constant = Float.floatToRawIntBits(map[i * c + j] + 0.0f) == first;
                }
            }
            min[offset + j] = constant ? map[j] + 0.0f : Float.NEGATIVE_INFINITY;
            max[offset + j] = constant ? map[j] + 0.0f : Float.POSITIVE_INFINITY;
        }
    }

    private Rejection checkModality(InternalRow row, int ordinal, String name, Maps maps) {
        if (row.isNullAt(ordinal)) {
            return new Rejection("null_modality", name, name + " is null");
        }
        if (row.isNullAt(ordinal + 1) || row.isNullAt(ordinal + 2)) {
            return new Rejection("bad_shape", name + "_tokens", name + "_tokens and " + name
                    + "_channels must be set");
        }
        int t = row.getInt(ordinal + 1);
        int c = row.getInt(ordinal + 2);
        if (t <= 0 || c <= 0) {
            return new Rejection("bad_shape", t <= 0 ? name + "_tokens" : name + "_channels", name + " shape "
                    + t + " x " + c + " (" + name + "_tokens x " + name + "_channels, " + row.getArray(ordinal)
                    .numElements() + " values) must be positive: a sample needs at least one token and channel");
        }
        ArrayData values = row.getArray(ordinal);
        long expected = (long) t * c;
        if (values.numElements() != expected) {
            return new Rejection("length_mismatch", name, name + " has " + values.numElements() + " values; "
                    + name + "_tokens x " + name + "_channels = " + t + " x " + c + " = " + expected + " expected");
        }
        int n = values.numElements();
        // One bulk copy and one branch per value on the fast path: per-element ArrayData calls were a tenth of
        // every pass's time (profiled on the quarter-val bench). A failing value is located by the slow loop.
        float[] copy = values.toFloatArray();
        float limit = measurement ? MAX_ABS_VALUE : Float.MAX_VALUE;
        boolean suspect = false;
        for (int i = 0; i < n; i++) {
            suspect |= !(Math.abs(copy[i]) <= limit);
        }
        if (!suspect && !anyNull(values, n)) {
            maps.keep(ordinal, copy);
            return null;
        }
        for (int i = 0; i < n; i++) {
            if (values.isNullAt(i)) {
                return new Rejection("non_finite", name, name + "[" + i + "] (token " + (i / c) + ", channel "
                        + (i % c) + ") is null");
            }
            float v = values.getFloat(i);
            if (!Float.isFinite(v)) {
                return new Rejection("non_finite", name, name + "[" + i + "] (token " + (i / c) + ", channel "
                        + (i % c) + ") is " + v);
            }
            if (measurement && Math.abs(v) > MAX_ABS_VALUE) {
                return new Rejection("out_of_range", name, name + "[" + i + "] (token " + (i / c) + ", channel "
                        + (i % c) + ") is " + v + ", beyond the accepted magnitude 2^24 = 16777216 of the exact "
                        + "fixed-point sums; rescale the features (MI does not change under per-channel scaling)");
            }
        }
        maps.keep(ordinal, copy);
        return null;
    }

    /**
     * Whether any element is null: in Spark's unsafe array format the null flags are a bitmap after the element
     * count, read here a word (64 elements) at a time; other array formats are asked element by element.
     */
    static boolean anyNull(ArrayData values, int n) {
        if (values instanceof UnsafeArrayData u) {
            long bits = u.getBaseOffset() + 8;
            int words = (n + 63) / 64;
            Object base = u.getBaseObject();
            for (int w = 0; w < words; w++) {
                if (Platform.getLong(base, bits + 8L * w) != 0) {
                    return true;
                }
            }
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (values.isNullAt(i)) {
                return true;
            }
        }
        return false;
    }

    /** The validated map at {@code ordinal} as a float array (row-major tokens x channels). */
    public static float[] map(InternalRow row, int ordinal) {
        return row.getArray(ordinal).toFloatArray();
    }
}
