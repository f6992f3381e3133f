package org.infometer.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.storage.StorageLevel;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Feature rows kept in the executors' memory between passes: the fit pass reads the Parquet input once and keeps
 * each partition's rows (compact copies of Spark's unsafe rows, no decoding), and every later pass over the same
 * features ({@link ShardPass#internalRows}) reads them from there instead of reading and decompressing the files
 * again. On the quarter-val bench the second full read was about a third of the pipeline.
 *
 * <p>Memory stays bounded: the storage level is memory only, so a partition that does not fit is simply not kept,
 * and the passes that need it read it from the input again (the result is the same either way: the rows are
 * copies of what the input gives). Lost blocks are recomputed from the input, as for any cached RDD.
 *
 * <p>Usage: {@code try (CachedFeatures c = CachedFeatures.keep(features)) { ...passes... }}; closing drops the
 * rows from memory and makes passes read the input again.
 */
public final class CachedFeatures implements AutoCloseable {

    /** Features whose passes read from memory, by identity (a Dataset has no value equality). */
    private static final Map<Dataset<Row>, JavaRDD<InternalRow>> KEPT =
            Collections.synchronizedMap(new IdentityHashMap<>());

    private final Dataset<Row> features;
    private final JavaRDD<InternalRow> rows;

    private CachedFeatures(Dataset<Row> features, JavaRDD<InternalRow> rows) {
        this.features = features;
        this.rows = rows;
    }

    /** Keeps {@code features}' rows in memory from their first pass on, until {@link #close()}. */
    public static CachedFeatures keep(Dataset<Row> features) {
        // Spark's scans reuse one row object per partition: each kept row must be a copy.
        JavaRDD<InternalRow> rows = features.queryExecution().toRdd().toJavaRDD().map(InternalRow::copy);
        rows.setName("infometer: feature rows (memory only; partitions that do not fit are read again)");
        rows.persist(StorageLevel.MEMORY_ONLY());
        KEPT.put(features, rows);
        return new CachedFeatures(features, rows);
    }

    /** The kept rows of {@code features}, or null when they are not kept. */
    static JavaRDD<InternalRow> rowsOf(Dataset<Row> features) {
        return KEPT.get(features);
    }

    /** What the cache holds now: partitions kept of all partitions, and their bytes in memory. */
    public record Held(int partitionsKept, int partitions, long memoryBytes) {
    }

    /** What is held now (zero partitions before the first pass has run). */
    public Held held() {
        int id = rows.id();
        for (RDDInfo info : features.sparkSession().sparkContext().getRDDStorageInfo()) {
            if (info.id() == id) {
                return new Held(info.numCachedPartitions(), info.numPartitions(), info.memSize());
            }
        }
        return new Held(0, rows.getNumPartitions(), 0);
    }

    @Override
    public void close() {
        KEPT.remove(features);
        rows.unpersist(false);
    }
}
