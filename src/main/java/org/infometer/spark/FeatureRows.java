package org.infometer.spark;

import org.apache.spark.sql.catalyst.InternalRow;
import org.infometer.schema.FeatureContract;
import org.infometer.schema.Rejection;
import org.infometer.schema.RowValidator;

/**
 * The one decoder of feature rows (Spark's internal rows in {@link FeatureContract} order): the validator's
 * verdict, then the identity columns, token count, channels and float maps, copied out without boxing.
 */
public final class FeatureRows {

    private FeatureRows() {
    }

    /** The validator's rejection of {@code row}, or null when it is valid. */
    public static Rejection check(InternalRow row, RowValidator validator) {
        return validator.check(row);
    }

    /** As {@link #check(InternalRow, RowValidator)}, keeping a valid row's maps in {@code maps}. */
    public static Rejection check(InternalRow row, RowValidator validator, RowValidator.Maps maps) {
        return validator.check(row, maps);
    }

    /** A valid row's identity and sizes; its maps too when {@code maps}. */
    public static DecodedSample decode(InternalRow row, boolean maps) {
        int tokens = row.getInt(FeatureContract.X_TOKENS);
        return new DecodedSample(string(row, FeatureContract.RUN_ID), string(row, FeatureContract.SCENE),
                string(row, FeatureContract.SAMPLE), timestamp(row), string(row, FeatureContract.FILE), tokens,
                row.getInt(FeatureContract.X_CHANNELS), row.getInt(FeatureContract.Y_CHANNELS),
                maps ? RowValidator.map(row, FeatureContract.X) : null,
                maps ? RowValidator.map(row, FeatureContract.Y) : null);
    }

    /** {@code ids} (decoded from {@code row} without maps) with its maps. */
    public static DecodedSample withMaps(DecodedSample ids, InternalRow row) {
        return withMaps(ids, row, null);
    }

    /**
     * As {@link #withMaps(DecodedSample, InternalRow)}, taking the maps the validator already copied out of
     * {@code row} when {@code checked} holds them (null: copy them from the row).
     */
    public static DecodedSample withMaps(DecodedSample ids, InternalRow row, RowValidator.Maps checked) {
        if (ids.hasMaps()) {
            return ids;
        }
        boolean kept = checked != null && checked.x() != null && checked.y() != null;
        return new DecodedSample(ids.runId(), ids.sceneToken(), ids.sampleToken(), ids.timestamp(),
                ids.sourceFile(), ids.tokens(), ids.xChannels(), ids.yChannels(),
                kept ? checked.x() : RowValidator.map(row, FeatureContract.X),
                kept ? checked.y() : RowValidator.map(row, FeatureContract.Y));
    }

    /** An invalid row's identity (nulls kept) with its rejection. */
    public static RejectedRow rejected(InternalRow row, Rejection rejection) {
        return new RejectedRow(string(row, FeatureContract.RUN_ID), string(row, FeatureContract.SCENE),
                string(row, FeatureContract.SAMPLE), timestamp(row), string(row, FeatureContract.FILE), rejection);
    }

    /** A string column of a contract row, or null. */
    public static String string(InternalRow row, int ordinal) {
        return row.isNullAt(ordinal) ? null : row.getUTF8String(ordinal).toString();
    }

    private static Long timestamp(InternalRow row) {
        return row.isNullAt(FeatureContract.TIMESTAMP) ? null : row.getLong(FeatureContract.TIMESTAMP);
    }
}
