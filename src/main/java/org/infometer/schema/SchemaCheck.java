package org.infometer.schema;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Checks an input Dataset against a table schema when it is read, and brings it to that schema.
 *
 * <p>Usage: {@code Dataset<Row> preds = SchemaCheck.conform(raw, DetectionRows.PREDICTIONS, "predictions", false);}
 *
 * <p>Columns are matched by name. A missing nullable column is added as typed nulls (so optional columns can
 * be left out); a missing non-nullable column, or a column of an incompatible type, is an
 * {@link IllegalArgumentException} naming the dataset, the column, the expected and the found type. Numeric
 * columns (and arrays of numbers) are cast to the expected numeric type: float32 features or int counts are
 * fine.
 */
public final class SchemaCheck {

    private SchemaCheck() {
    }

    /**
     * @param keepExtra keep columns the schema does not name (after the schema's own), e.g. grouping keys
     */
    public static Dataset<Row> conform(Dataset<Row> df, StructType expected, String datasetName, boolean keepExtra) {
        StructType actual = df.schema();
        Set<String> names = new HashSet<>(Arrays.asList(actual.fieldNames()));
        List<Column> cols = new ArrayList<>();
        for (StructField f : expected.fields()) {
            if (!names.contains(f.name())) {
                if (!f.nullable()) {
                    throw new IllegalArgumentException("dataset '" + datasetName + "': required column '" + f.name()
                            + "' (" + f.dataType().simpleString() + ") is missing; columns present: "
                            + Arrays.toString(actual.fieldNames()));
                }
                cols.add(lit(null).cast(f.dataType()).as(f.name()));
                continue;
            }
            DataType found = actual.apply(f.name()).dataType();
            if (found.sameType(f.dataType())) {
                cols.add(col(f.name()));
            } else if (castable(found, f.dataType())) {
                cols.add(col(f.name()).cast(f.dataType()).as(f.name()));
            } else {
                throw new IllegalArgumentException("dataset '" + datasetName + "': column '" + f.name() + "' has type "
                        + found.simpleString() + ", expected " + f.dataType().simpleString());
            }
        }
        if (keepExtra) {
            Set<String> wanted = new HashSet<>(Arrays.asList(expected.fieldNames()));
            for (String n : actual.fieldNames()) {
                if (!wanted.contains(n)) {
                    cols.add(col(n));
                }
            }
        }
        return df.select(cols.toArray(new Column[0]));
    }

    private static boolean castable(DataType from, DataType to) {
        if (from instanceof NumericType && to instanceof NumericType) {
            return true;
        }
        if (from instanceof ArrayType a && to instanceof ArrayType b) {
            return castable(a.elementType(), b.elementType()) || a.elementType().sameType(b.elementType());
        }
        if (from instanceof MapType a && to instanceof MapType b) {
            return a.keyType().sameType(b.keyType())
                    && (castable(a.valueType(), b.valueType()) || a.valueType().sameType(b.valueType()));
        }
        return false;
    }

    /** Same column names, order, types and nullability; comments and other metadata ignored. */
    public static boolean sameShape(StructType a, StructType b) {
        if (a.fields().length != b.fields().length) {
            return false;
        }
        for (int i = 0; i < a.fields().length; i++) {
            StructField x = a.fields()[i];
            StructField y = b.fields()[i];
            if (!x.name().equals(y.name()) || !x.dataType().sameType(y.dataType()) || x.nullable() != y.nullable()) {
                return false;
            }
        }
        return true;
    }
}
