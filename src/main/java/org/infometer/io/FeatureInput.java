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
        long bytesPerRow = checkFooters(spark, files, contract);
        spark.conf().set(FEATURE_BATCH_ROWS, Integer.toString(featureBatchRows(bytesPerRow,
                Integer.parseInt(spark.conf().get(READER_BATCH_ROWS, "4096")))));
        SharedStorage.checkInput(spark, path, files);
        Dataset<Row> raw = read(spark, path, files, singleFile);
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
     * The files as one Dataset. Spark is given the input directory when it finds exactly the files listed here:
     * given the files one by one, it lists them again in a Spark job of one task per file once there are more than
     * 32 (0.3-0.4 s for the 56 files of the quarter-val bench, against 0.05 s for the directory). Otherwise (its
     * rules for hidden names differ from {@link #hidden} in a partition directory named {@code _col=value}) it
     * reads the listed files; a listed file it would still not read is an error, not a file dropped silently.
     */
    static Dataset<Row> read(SparkSession spark, String path, List<String> files, boolean singleFile) {
        if (singleFile) {
            return spark.read().parquet(files.get(0));
        }
        java.util.Set<String> listed = pathsOf(files);
        try {
            Dataset<Row> whole = spark.read().parquet(path);
            if (pathsOf(List.of(whole.inputFiles())).equals(listed)) {
                return whole;
            }
        } catch (Exception | AssertionError e) {
            // Partition directories Spark cannot reconcile (it asserts on conflicting ones): read the listed files.
        }
        // Spark refuses a basePath that is a file; here it is the input directory, so partition directories below
        // it become columns as they do when Spark lists it.
        Dataset<Row> each = spark.read().option("basePath", new Path(path).toString())
                .parquet(files.toArray(new String[0]));
        java.util.Set<String> unread = new java.util.TreeSet<>(listed);
        unread.removeAll(pathsOf(List.of(each.inputFiles())));
        if (!unread.isEmpty()) {
            throw new InputException("Input " + path + ": Spark does not read " + unread.size() + " of its data "
                    + "files, e.g. " + unread.iterator().next() + "; rename or remove them");
        }
        return each;
    }

    /** The files' paths without scheme and authority (Spark writes file:///a where a listing gives file:/a). */
    private static java.util.Set<String> pathsOf(List<String> files) {
        java.util.Set<String> out = new java.util.HashSet<>();
        files.forEach(f -> out.add(new Path(f).toUri().getPath()));
        return out;
    }

    /** Spark's rows per vectorized Parquet batch (default 4,096). */
    static final String READER_BATCH_ROWS = "spark.sql.parquet.columnarReaderBatchSize";
    /**
     * Where {@link #open} leaves the rows per batch the features call for, for {@link #internalRows}: a session
     * value, so the features opened last set it (a job opens one features input; a wrong value for another input
     * of the session would change its speed, never its rows).
     */
    static final String FEATURE_BATCH_ROWS = "spark.infometer.input.readerBatchRows";
    /** Uncompressed bytes a vectorized batch of feature rows may hold (see {@link #featureBatchRows}). */
    static final long READER_BATCH_BYTES = 8L << 20;

    /**
     * Rows per vectorized Parquet batch for feature rows of {@code bytesPerRow}: about 8 MiB a batch. A feature row
     * is large (1.8 MB at 900 tokens x (256 + 256) channels), and Spark's default of 4,096 rows makes a batch a
     * whole row group: two float vectors of 25 MB per file on the quarter-val bench, far beyond the caches the
     * row's copy then reads them from, and every such allocation is a G1 humongous one that starts a collection.
     * Four rows per batch took the bare scan from 6.8 s to 4.8 s and the fit pass from 12.6 s to 8.5 s. A smaller
     * value the user set is kept.
     */
    static int featureBatchRows(long bytesPerRow, int configured) {
        long rows = Math.max(1, READER_BATCH_BYTES / Math.max(1, bytesPerRow));
        return (int) Math.min(rows, configured);
    }

    /**
     * The feature rows as Spark's internal rows, read with the batch size {@link #open} chose for them. Only the
     * scans of the feature maps use it: Spark reads the batch size when the scan's RDD is made, so it is set for
     * that moment and restored, and other Parquet reads of the session (scalar columns, small rows) keep theirs.
     */
    public static org.apache.spark.rdd.RDD<org.apache.spark.sql.catalyst.InternalRow> internalRows(
            Dataset<Row> features) {
        SparkSession spark = features.sparkSession();
        String rows = spark.conf().get(FEATURE_BATCH_ROWS, null);
        if (rows == null) {
            return features.queryExecution().toRdd();
        }
        // Only an explicit setting is restored (getOption would return Spark's default as if it were set).
        String before = spark.sessionState().conf().contains(READER_BATCH_ROWS)
                ? spark.conf().get(READER_BATCH_ROWS) : null;
        spark.conf().set(READER_BATCH_ROWS, rows);
        try {
            return features.queryExecution().toRdd();
        } finally {
            if (before == null) {
                spark.conf().unset(READER_BATCH_ROWS);
            } else {
                spark.conf().set(READER_BATCH_ROWS, before);
            }
        }
    }

    /**
     * Reads every file's footer (in parallel; metadata only) and checks its schema, so a corrupt file or a schema
     * mismatch is reported with the file's name before any task runs. Partition columns encoded in directory
     * names ({@code col=value}) count as present. Returns the largest uncompressed bytes per row of any row group.
     */
    static long checkFooters(SparkSession spark, List<String> files, FeatureContract contract) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        ParquetToSparkSchemaConverter converter = new ParquetToSparkSchemaConverter(spark.sessionState().conf());
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, files.size()));
        try {
            List<Future<StructType>> schemas = new ArrayList<>();
            java.util.concurrent.atomic.AtomicLong widest = new java.util.concurrent.atomic.AtomicLong();
            for (String f : files) {
                schemas.add(pool.submit(() -> {
                    Path p = new Path(f);
                    StructType schema;
                    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(p, conf))) {
                        schema = converter.convert(reader.getFooter().getFileMetaData().getSchema());
                        for (org.apache.parquet.hadoop.metadata.BlockMetaData b : reader.getFooter().getBlocks()) {
                            if (b.getRowCount() > 0) {
                                widest.accumulateAndGet(b.getTotalByteSize() / b.getRowCount(), Math::max);
                            }
                        }
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
            return widest.get();
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
            } else if (fs instanceof org.apache.hadoop.fs.LocalFileSystem
                    || fs instanceof org.apache.hadoop.fs.RawLocalFileSystem) {
                // A local tree is walked with plain listings: a located listing of a local file system reads each
                // file's permissions by running a shell command per file (0.55 s for 56 files, against 0.01 s).
                walkLocal(fs, status.getPath(), out);
            } else {
                // Elsewhere one recursive listing (on S3, one flat listing instead of one per directory).
                RemoteIterator<LocatedFileStatus> it = fs.listFiles(p, true);
                while (it.hasNext()) {
                    LocatedFileStatus s = it.next();
                    String relative = s.getPath().toUri().getPath()
                            .substring(status.getPath().toUri().getPath().length());
                    if (!hidden(relative) && s.isFile()) {
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

    /** A path below the input root with a {@link #hiddenName} among its parts, as the local walk skips it. */
    private static boolean hidden(String relative) {
        for (String part : relative.split("/")) {
            if (!part.isEmpty() && hiddenName(part)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A hidden or marker name (_SUCCESS, .crc, _temporary), or one still being copied (Spark's {@code ._COPYING_}
     * suffix, a name Spark never reads): skipped with everything below it.
     */
    private static boolean hiddenName(String name) {
        return name.startsWith("_") || name.startsWith(".") || name.endsWith(COPYING);
    }

    private static final String COPYING = "._COPYING_";

    /** The data files below {@code dir}, skipping {@link #hiddenName}s and everything below them. */
    private static void walkLocal(FileSystem fs, Path dir, List<String> out) throws IOException {
        java.util.Deque<Path> todo = new java.util.ArrayDeque<>(List.of(dir));
        while (!todo.isEmpty()) {
            for (FileStatus s : fs.listStatus(todo.pop())) {
                if (hiddenName(s.getPath().getName())) {
                    continue;
                }
                if (s.isDirectory()) {
                    todo.push(s.getPath());
                } else {
                    out.add(s.getPath().toString());
                }
            }
        }
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
