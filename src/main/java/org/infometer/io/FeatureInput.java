package org.infometer.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.infometer.schema.FeatureContract;
import org.infometer.schema.InputException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;

/**
 * Opens the features table: lists its Parquet files, checks each file's schema against the contract (so a bad
 * file is named before any task runs), and projects the contract columns in a fixed order and exact types.
 *
 * <p>Usage: {@code FeatureInput.open(spark, path, contract, repartition)}.
 */
public final class FeatureInput {

    private FeatureInput() {
    }

    public static Dataset<Row> open(SparkSession spark, String path, FeatureContract contract, Integer repartition) {
        List<String> files = listParquet(spark, path);
        String root = files.size() == 1 && files.get(0).endsWith(new Path(path).getName()) ? files.get(0)
                : new Path(path).toString();
        for (String f : files) {
            StructType schema;
            try {
                schema = spark.read().option("basePath", root).parquet(f).schema();
            } catch (Exception e) {
                // Spark reports an unreadable footer as SparkException, which is checked (not a RuntimeException).
                throw new InputException("Input file " + f + " is not a readable Parquet file: "
                        + firstLine(e), e);
            }
            contract.check(schema, f);
        }
        Dataset<Row> raw = spark.read().option("basePath", root).parquet(files.toArray(new String[0]));
        StructType expected = contract.schema();
        List<Column> cols = new ArrayList<>();
        for (String c : contract.columns()) {
            cols.add(col(c).cast(expected.apply(c).dataType()).as(c));
        }
        cols.add(input_file_name().as(FeatureContract.SOURCE_FILE));
        Dataset<Row> df = raw.select(cols.toArray(new Column[0]));
        return repartition == null ? df : df.repartition(repartition);
    }

    /** The Parquet data files under a path (a file or a directory tree), skipping hidden and marker files. */
    public static List<String> listParquet(SparkSession spark, String path) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path p = new Path(path);
        List<String> out = new ArrayList<>();
        try {
            FileSystem fs = p.getFileSystem(conf);
            if (!fs.exists(p)) {
                throw new InputException("Input path " + path + " does not exist");
            }
            FileStatus status = fs.getFileStatus(p);
            if (status.isFile()) {
                out.add(status.getPath().toString());
            } else {
                RemoteIterator<LocatedFileStatus> it = fs.listFiles(p, true);
                while (it.hasNext()) {
                    LocatedFileStatus s = it.next();
                    String relative = s.getPath().toUri().getPath()
                            .substring(status.getPath().toUri().getPath().length());
                    boolean hidden = relative.contains("/_") || relative.contains("/.");
                    if (!hidden && s.isFile()) {
                        out.add(s.getPath().toString());
                    }
                }
            }
        } catch (IOException e) {
            throw new InputException("Input path " + path + " cannot be listed: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new InputException("Input path " + path + " holds no data files (expected Parquet files of the "
                    + "features table)");
        }
        out.sort(String::compareTo);
        return out;
    }

    static String firstLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = String.valueOf(e.getMessage());
        String root = String.valueOf(t.getMessage());
        return (m.split("\n")[0] + (t == e ? "" : " (cause: " + root.split("\n")[0] + ")"));
    }
}
