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

import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.execution.datasources.parquet.ParquetToSparkSchemaConverter;
import org.apache.spark.sql.types.DataTypes;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
        return open(spark, path, contract, repartition, List.of());
    }

    /**
     * As {@link #open(SparkSession, String, FeatureContract, Integer)}, with extra columns appended after the source
     * file column (ordinal {@link FeatureContract#FILE} + 1 onwards) in their stored types; each must exist.
     */
    public static Dataset<Row> open(SparkSession spark, String path, FeatureContract contract, Integer repartition,
                                    List<String> extra) {
        List<String> files = listParquet(spark, path);
        boolean singleFile = files.size() == 1 && files.get(0).endsWith(new Path(path).getName());
        checkFooters(spark, files, contract);
        SharedStorage.checkInput(spark, path, files);
        // Spark refuses a basePath that is a file; a single-file input has no partition directories to infer.
        Dataset<Row> raw = (singleFile ? spark.read() : spark.read().option("basePath", new Path(path).toString()))
                .parquet(files.toArray(new String[0]));
        StructType expected = contract.schema();
        List<Column> cols = new ArrayList<>();
        for (String c : contract.columns()) {
            cols.add(col(c).cast(expected.apply(c).dataType()).as(c));
        }
        cols.add(input_file_name().as(FeatureContract.SOURCE_FILE));
        for (String e : extra) {
            if (!List.of(raw.columns()).contains(e)) {
                throw new InputException("Input " + path + " has no column '" + e + "' (needed here; columns: "
                        + String.join(", ", raw.columns()) + ")");
            }
            cols.add(col(e));
        }
        Dataset<Row> df = raw.select(cols.toArray(new Column[0]));
        return repartition == null ? df : df.repartition(repartition);
    }

    /**
     * Reads every file's footer (in parallel; metadata only) and checks its schema, so a corrupt file or a schema
     * mismatch is reported with the file's name before any task runs. Partition columns encoded in directory
     * names ({@code col=value}) count as present.
     */
    static void checkFooters(SparkSession spark, List<String> files, FeatureContract contract) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        ParquetToSparkSchemaConverter converter = new ParquetToSparkSchemaConverter(spark.sessionState().conf());
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, files.size()));
        try {
            List<Future<StructType>> schemas = new ArrayList<>();
            for (String f : files) {
                schemas.add(pool.submit(() -> {
                    Path p = new Path(f);
                    StructType schema;
                    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(p, conf))) {
                        schema = converter.convert(reader.getFooter().getFileMetaData().getSchema());
                    } catch (IOException | RuntimeException e) {
                        throw new InputException("Input file " + f + " is not a readable Parquet file: "
                                + firstLine(e), e);
                    }
                    for (String segment : p.getParent().toUri().getPath().split("/")) {
                        int eq = segment.indexOf('=');
                        if (eq > 0 && !List.of(schema.fieldNames()).contains(segment.substring(0, eq))) {
                            schema = schema.add(segment.substring(0, eq), DataTypes.StringType);
                        }
                    }
                    return schema;
                }));
            }
            for (int i = 0; i < files.size(); i++) {
                StructType schema;
                try {
                    schema = schemas.get(i).get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                contract.check(schema, files.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
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
