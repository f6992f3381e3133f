package org.infometer.spark;

import org.infometer.io.FeatureInput;
import org.apache.spark.SparkContext;
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

    /**
     * Share of the executors' memory for caching (Spark's unified pool) the feature rows may take. Spark would keep
     * as many partitions as fit and read the rest again, but at nuScenes-val scale (11 GB against a 4.7 GB pool in
     * the embedded profile) that filled the pool and took the driver heap to 8.1 of 8.2 GB, with warnings for
     * every partition it gave up on; so the rows are kept only when all of them fit with room to spare.
     */
    static final double MAX_POOL_SHARE = 0.75;

    /** Whether rows of about {@code bytes} are kept, and why (for the progress log). */
    public record Decision(boolean keep, long bytes, long poolBytes, String reason) {
    }

    /**
     * Whether feature rows of about {@code estimatedBytes} fit: at most {@link #MAX_POOL_SHARE} of the memory for
     * caching of the block managers that run tasks (the executors; in local mode the driver is the executor).
     * When no executor has registered yet, Spark's own bounds decide (rows that do not fit are read again).
     */
    public static Decision decide(SparkContext sc, long estimatedBytes) {
        return decide(sc, estimatedBytes, "rows");
    }

    /** As {@link #decide(SparkContext, long)} for {@code what} (named in the reason), e.g. per-sample moments. */
    public static Decision decide(SparkContext sc, long estimatedBytes, String what) {
        long pool = 0;
        String driver = sc.env().blockManager().blockManagerId().hostPort();
        Map<String, scala.Tuple2<Object, Object>> status =
                scala.collection.JavaConverters.mapAsJavaMap(sc.getExecutorMemoryStatus());
        boolean local = status.size() == 1;
        for (Map.Entry<String, scala.Tuple2<Object, Object>> e : status.entrySet()) {
            if (local || !e.getKey().equals(driver)) {
                pool += (Long) e.getValue()._1();
            }
        }
        if (pool == 0) {
            return new Decision(true, estimatedBytes, 0, "no executor registered yet: Spark keeps what fits");
        }
        boolean keep = estimatedBytes <= MAX_POOL_SHARE * pool;
        return new Decision(keep, estimatedBytes, pool, String.format(java.util.Locale.ROOT,
                "%,d MiB of %s %s %.0f %% of the %,d MiB the executors have for caching", estimatedBytes >> 20, what,
                keep ? "within" : "beyond", 100 * MAX_POOL_SHARE, pool >> 20));
    }

    /** Keeps {@code features}' rows in memory from their first pass on, until {@link #close()}. */
    public static CachedFeatures keep(Dataset<Row> features) {
        // Spark's scans reuse one row object per partition: each kept row must be a copy.
        JavaRDD<InternalRow> rows = FeatureInput.internalRows(features).toJavaRDD().map(InternalRow::copy);
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
