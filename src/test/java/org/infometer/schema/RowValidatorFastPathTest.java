package org.infometer.schema;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The validator's fast paths give the answers of the plain ones: the null bitmap read a word at a time, the maps
 * handed over from the checks, and the constant-channel ranges computed from bit patterns.
 */
class RowValidatorFastPathTest {

    private static final FeatureContract CONTRACT = new FeatureContract("camera", "lidar");

    private static InternalRow row(ArrayData x, int tx, int cx, ArrayData y, int cy) {
        return new GenericInternalRow(new Object[] {UTF8String.fromString("r"), UTF8String.fromString("s"),
                UTF8String.fromString("a"), 1L, x, tx, cx, y, tx, cy, UTF8String.fromString("f.parquet")});
    }

    private static RowValidator validator() {
        return new RowValidator(CONTRACT, Map.of("r", new int[] {3, 2}), Map.of()).forMeasurement();
    }

    @Test
    void nullBitmapIsReadAtEveryPositionAcrossWordBoundaries() {
        int n = 130;
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
        }
        assertFalse(RowValidator.anyNull(UnsafeArrayData.fromPrimitiveArray(values), n));
        for (int at : new int[] {0, 1, 63, 64, 65, 127, 128, 129}) {
            UnsafeArrayData a = UnsafeArrayData.fromPrimitiveArray(values);
            a.setNullAt(at);
            assertTrue(RowValidator.anyNull(a, n), "null at " + at);
            Object[] boxed = new Object[n];
            for (int i = 0; i < n; i++) {
                boxed[i] = i == at ? null : values[i];
            }
            assertTrue(RowValidator.anyNull(new GenericArrayData(boxed), n), "generic array, null at " + at);
        }
    }

    @Test
    void aNullInAnUnsafeArrayIsRejectedWithItsPosition() {
        float[] x = {1, 2, 3, 4, 5, 6};
        UnsafeArrayData ux = UnsafeArrayData.fromPrimitiveArray(x);
        ux.setNullAt(4);
        Rejection r = validator().check(row(ux, 2, 3, UnsafeArrayData.fromPrimitiveArray(new float[] {1, 2, 3, 5}), 2));
        assertNotNull(r);
        assertEquals("non_finite", r.code());
        assertEquals("camera[4] (token 1, channel 1) is null", r.reason());
    }

    @Test
    void aValidRowHandsOverItsMapsAndARejectedRowNone() {
        float[] x = {1, 2, 3, 4, 5, 6};
        float[] y = {-1, -2, -3, -4};
        RowValidator.Maps maps = new RowValidator.Maps();
        assertNull(validator().check(row(UnsafeArrayData.fromPrimitiveArray(x), 2, 3,
                UnsafeArrayData.fromPrimitiveArray(y), 2), maps));
        assertArrayEquals(x, maps.x());
        assertArrayEquals(y, maps.y());
        // two channels of y, but the run uses 3 x 2: rejected after both maps were copied
        Rejection r = validator().check(row(UnsafeArrayData.fromPrimitiveArray(x), 2, 3,
                UnsafeArrayData.fromPrimitiveArray(new float[] {1, 2, 3, 4, 5, 6}), 3), maps);
        assertEquals("channel_mismatch", r.code());
        assertNull(maps.x());
        assertNull(maps.y());
    }

    @Test
    void constantChannelsAreFoundFromBitPatternsWithMinusZeroEqualToZero() {
        // camera: channel 0 constant 1.5, channel 1 holds 0.0 and -0.0 (equal values), channel 2 varies;
        // lidar: channel 0 varies in its last token only, channel 1 constant -2.
        float[] x = {1.5f, 0.0f, 1, 1.5f, -0.0f, 2, 1.5f, 0.0f, 3};
        float[] y = {7, -2, 7, -2, 7.000001f, -2};
        ChannelRanges ranges = new ChannelRanges();
        assertNull(validator().recording(ranges).check(row(UnsafeArrayData.fromPrimitiveArray(x), 3, 3,
                UnsafeArrayData.fromPrimitiveArray(y), 2)));
        assertEquals(List.of("camera channel 0 (= 1.5)", "camera channel 1 (= 0.0)", "lidar channel 1 (= -2.0)"),
                ranges.constantChannels("r", "camera", "lidar"));
        // a second row with another constant value in camera channel 0 makes it vary over the run
        float[] x2 = {2.5f, 0.0f, 1, 2.5f, 0.0f, 2, 2.5f, 0.0f, 3};
        assertNull(validator().recording(ranges).check(row(UnsafeArrayData.fromPrimitiveArray(x2), 3, 3,
                UnsafeArrayData.fromPrimitiveArray(y), 2)));
        assertEquals(List.of("camera channel 1 (= 0.0)", "lidar channel 1 (= -2.0)"),
                ranges.constantChannels("r", "camera", "lidar"));
        // one token: every channel is constant in that row
        ChannelRanges single = new ChannelRanges();
        assertNull(validator().recording(single).check(row(UnsafeArrayData.fromPrimitiveArray(new float[] {1, 2, 3}),
                1, 3, UnsafeArrayData.fromPrimitiveArray(new float[] {4, 5}), 2)));
        assertEquals(5, single.constantChannels("r", "camera", "lidar").size());
    }
}
