package org.infometer.schema;

import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The features contract ({@code data-schemas/features.ddl}) instantiated for one pair of modalities, and the
 * fixed column order the job reads rows in.
 */
public final class FeatureContract implements Serializable {

    public static final String SOURCE_FILE = "_source_file";
    public static final int RUN_ID = 0;
    public static final int SCENE = 1;
    public static final int SAMPLE = 2;
    public static final int TIMESTAMP = 3;
    public static final int X = 4;
    public static final int X_TOKENS = 5;
    public static final int X_CHANNELS = 6;
    public static final int Y = 7;
    public static final int Y_TOKENS = 8;
    public static final int Y_CHANNELS = 9;
    public static final int FILE = 10;

    private final String x;
    private final String y;
    private final StructType schema;

    public FeatureContract(String x, String y) {
        this.x = x;
        this.y = y;
        this.schema = TableContract.load("features").schema(x, y);
    }

    public String x() {
        return x;
    }

    public String y() {
        return y;
    }

    public StructType schema() {
        return schema;
    }

    /** Column names in the order rows are read (without the source-file column). */
    public List<String> columns() {
        return List.of("run_id", "scene_token", "sample_token", "timestamp",
                x, x + "_tokens", x + "_channels", y, y + "_tokens", y + "_channels");
    }

    /** Column name at a read ordinal, for messages. */
    public String columnAt(int ordinal) {
        return ordinal == FILE ? SOURCE_FILE : columns().get(ordinal);
    }

    /**
     * Checks a file's schema: every contract column present with its type or a safe widening (INT for BIGINT,
     * ARRAY&lt;DOUBLE&gt; or ARRAY&lt;HALF&gt;-like float arrays are not accepted silently: the message says what
     * to cast). Extra columns are allowed.
     */
    public void check(StructType actual, String file) {
        List<String> problems = new ArrayList<>();
        for (String col : columns()) {
            StructField expected = schema.apply(col);
            if (!List.of(actual.fieldNames()).contains(col)) {
                problems.add("column '" + col + "' is missing (expected " + expected.dataType().sql() + ")");
                continue;
            }
            DataType got = actual.apply(col).dataType();
            if (!compatible(expected.dataType(), got)) {
                problems.add("column '" + col + "' has type " + got.sql() + ", expected "
                        + expected.dataType().sql() + castHint(col, expected.dataType(), got));
            }
        }
        if (!problems.isEmpty()) {
            throw new InputException("Input file " + file + " does not match the features contract "
                    + "(data-schemas/features.ddl with modalities " + x + ", " + y + "): "
                    + String.join("; ", problems) + ". Columns present: " + String.join(", ", actual.fieldNames()));
        }
    }

    /**
     * DOUBLE maps are refused rather than narrowed here: a silent cast turns values beyond the float range into
     * infinities and changes every value, so the writer should choose the cast.
     */
    private static String castHint(String col, DataType expected, DataType got) {
        if (expected instanceof ArrayType ea && got instanceof ArrayType ga
                && ea.elementType().equals(DataTypes.FloatType)
                && (ga.elementType().equals(DataTypes.DoubleType) || ga.elementType() instanceof DecimalType)) {
            return " (single precision is the contract; write the column as FLOAT, e.g. CAST(" + col
                    + " AS ARRAY<FLOAT>), after checking its values fit the float range)";
        }
        return "";
    }

    private static boolean compatible(DataType expected, DataType got) {
        if (expected.equals(got)) {
            return true;
        }
        if (expected.equals(DataTypes.LongType)) {
            return got.equals(DataTypes.IntegerType);
        }
        if (expected instanceof ArrayType ea && got instanceof ArrayType ga) {
            return ea.elementType().equals(ga.elementType());
        }
        return false;
    }
}
