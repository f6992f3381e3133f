package org.infometer.spark;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.unsafe.types.UTF8String;
import org.infometer.estimate.SampleMoments;
import org.infometer.schema.ChannelRanges;
import org.infometer.schema.FeatureContract;
import org.infometer.schema.RowValidator;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Channel ranges recorded from the moments' Gram diagonal (the moments pass) equal those the row check records
 * from every value: a varying channel has a positive centred sum of squares, and every other is compared.
 */
class RangesFromMomentsTest {

    private static final FeatureContract CONTRACT = new FeatureContract("camera", "lidar");

    private static InternalRow row(float[] x, int t, int cx, float[] y, int cy) {
        return new GenericInternalRow(new Object[] {UTF8String.fromString("r"), UTF8String.fromString("s"),
                UTF8String.fromString("a"), 1L, UnsafeArrayData.fromPrimitiveArray(x), t, cx,
                UnsafeArrayData.fromPrimitiveArray(y), t, cy, UTF8String.fromString("f.parquet")});
    }

    private static List<String> fromCheck(float[] x, float[] y, int t, int cx, int cy) {
        ChannelRanges ranges = new ChannelRanges();
        RowValidator v = new RowValidator(CONTRACT, Map.of("r", new int[] {cx, cy}), Map.of()).forMeasurement();
        assertNull(v.recording(ranges).check(row(x, t, cx, y, cy)));
        return ranges.constantChannels("r", "camera", "lidar");
    }

    private static List<String> fromMoments(float[] x, float[] y, int t, int cx, int cy) {
        ChannelRanges ranges = new ChannelRanges();
        RowValidator v = new RowValidator(CONTRACT, Map.of("r", new int[] {cx, cy}), Map.of()).forMeasurement()
                .recording(ranges);
        SampleMoments m = SampleMoments.of(x, y, t, cx, cy, new SampleMoments.Workspace());
        v.record("r", x, y, t, cx, cy, j -> m.centredSquares(j) > 0);
        return ranges.constantChannels("r", "camera", "lidar");
    }

    @Test
    void constantChannelsAreTheSameFromTheGramDiagonalAsFromEveryValue() {
        // camera: constant 1.5; 0.0 and -0.0 (equal); varying; differences so small their squares underflow to 0.
        // lidar: varying in its last token only; constant -2.
        float[] x = {1.5f, 0.0f, 1, 1e-30f, 1.5f, -0.0f, 2, 1e-30f, 1.5f, 0.0f, 3, 1.0000001e-30f};
        float[] y = {7, -2, 7, -2, 7.000001f, -2};
        List<String> expected = List.of("camera channel 0 (= 1.5)", "camera channel 1 (= 0.0)",
                "lidar channel 1 (= -2.0)");
        assertEquals(expected, fromCheck(x, y, 3, 4, 2));
        assertEquals(expected, fromMoments(x, y, 3, 4, 2));
        Random r = new Random(11);
        for (int trial = 0; trial < 20; trial++) {
            int t = 1 + r.nextInt(40);
            int cx = 1 + r.nextInt(12);
            int cy = 1 + r.nextInt(12);
            float[] a = new float[t * cx];
            float[] b = new float[t * cy];
            float[][] maps = {a, b};
            int[] channels = {cx, cy};
            for (int m = 0; m < 2; m++) {
                for (int j = 0; j < channels[m]; j++) {
                    int kind = r.nextInt(4);
                    float c = (float) r.nextGaussian() * 1e3f;
                    for (int i = 0; i < t; i++) {
                        maps[m][i * channels[m] + j] = switch (kind) {
                            case 0 -> c;
                            case 1 -> i == t - 1 ? Math.nextUp(c) : c;
                            case 2 -> (i % 2 == 0) ? 0.0f : -0.0f;
                            default -> (float) r.nextGaussian();
                        };
                    }
                }
            }
            assertEquals(fromCheck(a, b, t, cx, cy), fromMoments(a, b, t, cx, cy), "trial " + trial);
        }
    }
}
