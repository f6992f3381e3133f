package org.infometer.spark;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.unsafe.types.UTF8String;
import org.infometer.schema.FeatureContract;
import org.infometer.schema.Rejection;
import org.infometer.schema.RowValidator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one decoder: a valid row's columns come out as written; every rejection names its reason and column. */
class FeatureRowsTest {

    static final FeatureContract CONTRACT = new FeatureContract("camera", "lidar");

    /** A contract row (2 tokens, 3 camera and 2 lidar channels unless changed by the caller). */
    static Object[] row(String run, String scene, String sample) {
        return new Object[] {utf(run), utf(scene), utf(sample), 1234L,
                new GenericArrayData(new Object[] {1f, 2f, 3f, 4f, 5f, 6f}), 2, 3,
                new GenericArrayData(new Object[] {-1f, -2f, -3f, -4f}), 2, 2, utf("part-0.parquet")};
    }

    static UTF8String utf(String s) {
        return s == null ? null : UTF8String.fromString(s);
    }

    static InternalRow internal(Object[] values) {
        return new GenericInternalRow(values);
    }

    static RowValidator validator() {
        return new RowValidator(CONTRACT, Map.of("r", new int[] {3, 2}), Map.of(RowValidator.key("r", "dup"), 2L))
                .forMeasurement().excludingRuns(Map.of("tiny", "run tiny has 2 valid samples"));
    }

    @Test
    void decodesAValidRowColumnByColumn() {
        InternalRow row = internal(row("r", "s", "a"));
        assertNull(FeatureRows.check(row, validator()));
        DecodedSample d = FeatureRows.decode(row, true);
        assertEquals(new DecodedSample("r", "s", "a", 1234L, "part-0.parquet", 2, 3, 2, d.x(), d.y()), d);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, d.x());
        assertArrayEquals(new float[] {-1, -2, -3, -4}, d.y());
        DecodedSample ids = FeatureRows.decode(row, false);
        assertFalse(ids.hasMaps());
        assertEquals(d.sampleToken(), ids.sampleToken());
        assertArrayEquals(d.x(), FeatureRows.withMaps(ids, row).x());
        Object[] noTime = row("r", "s", "b");
        noTime[FeatureContract.TIMESTAMP] = null;
        assertNull(FeatureRows.decode(internal(noTime), false).timestamp());
    }

    /** Each reason with the column it names (null for row-level reasons). */
    @Test
    void namesEachRejectionReasonWithItsColumn() {
        List<Object[]> rows = new ArrayList<>();
        List<String[]> expected = new ArrayList<>();
        Object[] r = row(null, "s", "a");
        rows.add(r);
        expected.add(new String[] {"null_key", "run_id"});
        r = row("r", "s", "  ");
        rows.add(r);
        expected.add(new String[] {"empty_key", "sample_token"});
        rows.add(row("r", "s", "dup"));
        expected.add(new String[] {"duplicate_key", null});
        rows.add(row("tiny", "s", "a"));
        expected.add(new String[] {"run_too_small", "sample_token"});
        r = row("r", "s", "a");
        r[FeatureContract.X] = null;
        rows.add(r);
        expected.add(new String[] {"null_modality", "camera"});
        r = row("r", "s", "a");
        r[FeatureContract.Y_CHANNELS] = null;
        rows.add(r);
        expected.add(new String[] {"bad_shape", "lidar_tokens"});
        r = row("r", "s", "a");
        r[FeatureContract.X_CHANNELS] = 0;
        rows.add(r);
        expected.add(new String[] {"bad_shape", "camera_channels"});
        r = row("r", "s", "a");
        r[FeatureContract.Y] = new GenericArrayData(new Object[] {1f, 2f, 3f});
        rows.add(r);
        expected.add(new String[] {"length_mismatch", "lidar"});
        r = row("r", "s", "a");
        r[FeatureContract.X] = new GenericArrayData(new Object[] {1f, 2f, Float.NaN, 4f, 5f, 6f});
        rows.add(r);
        expected.add(new String[] {"non_finite", "camera"});
        r = row("r", "s", "a");
        r[FeatureContract.X] = new GenericArrayData(new Object[] {1f, 2f, 3f, 4f, 5f, 1e8f});
        rows.add(r);
        expected.add(new String[] {"out_of_range", "camera"});
        r = row("r", "s", "a");
        r[FeatureContract.Y] = new GenericArrayData(new Object[] {1f, 2f});
        r[FeatureContract.Y_TOKENS] = 1;
        rows.add(r);
        expected.add(new String[] {"token_mismatch", "lidar_tokens"});
        r = row("r", "s", "a");
        r[FeatureContract.Y] = new GenericArrayData(new Object[] {1f, 2f, 3f, 4f, 5f, 6f});
        r[FeatureContract.Y_CHANNELS] = 3;
        rows.add(r);
        expected.add(new String[] {"channel_mismatch", "lidar_channels"});
        r = row("other", "s", "a");
        r[FeatureContract.Y] = new GenericArrayData(new Object[] {1f, 2f, 3f, 4f, 5f, 6f});
        r[FeatureContract.Y_CHANNELS] = 3;
        rows.add(r);
        expected.add(new String[] {"identical_modalities", "lidar"});

        RowValidator v = validator();
        for (int i = 0; i < rows.size(); i++) {
            InternalRow row = internal(rows.get(i));
            Rejection rejection = FeatureRows.check(row, v);
            String[] want = expected.get(i);
            assertTrue(rejection != null, "row " + i + " should be rejected as " + want[0]);
            assertEquals(want[0], rejection.code(), rejection.reason());
            assertEquals(want[1], rejection.column(), rejection.reason());
            RejectedRow rejected = FeatureRows.rejected(row, rejection);
            assertEquals(rejection, rejected.rejection());
            assertEquals("part-0.parquet", rejected.sourceFile());
            assertEquals(rows.get(i)[FeatureContract.RUN_ID] == null ? null
                    : rows.get(i)[FeatureContract.RUN_ID].toString(), rejected.runId());
        }
    }

    /** The pass sees valid rows decoded, rejected rows as such, maps only when asked, and is closed once. */
    @Test
    void aPassGetsEveryRowOnceAndIsClosedAtTheEnd() {
        List<InternalRow> input = List.of(internal(row("r", "s", "a")), internal(row("r", "s", "dup")),
                internal(row("r", "s", "b")));
        List<String> seen = new ArrayList<>();
        int[] closed = {0};
        ShardPass.Pass<String> pass = new ShardPass.Pass<>() {
            @Override
            public boolean needsMaps(DecodedSample ids) {
                return ids.sampleToken().equals("a");
            }

            @Override
            public void valid(DecodedSample s, InternalRow row, Consumer<String> out) {
                out.accept(s.sampleToken() + (s.hasMaps() ? "+maps" : ""));
            }

            @Override
            public void rejected(RejectedRow r, Consumer<String> out) {
                out.accept(r.sampleToken() + ":" + r.rejection().code());
            }

            @Override
            public void end(Consumer<String> out) {
                out.accept("end");
            }

            @Override
            public void close() {
                closed[0]++;
            }
        };
        Iterator<String> it = ShardPass.run(input.iterator(), validator(), pass);
        it.forEachRemaining(seen::add);
        assertEquals(List.of("a+maps", "dup:duplicate_key", "b", "end"), seen);
        assertFalse(it.hasNext());
        assertEquals(1, closed[0]);
    }
}
