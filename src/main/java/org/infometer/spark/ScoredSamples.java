package org.infometer.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.infometer.estimate.ScoredRow;
import org.infometer.schema.TableContract;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The apply pass's per-row results (codelengths or rejections, no feature maps), persisted on the executors
 * (memory, spilling to disk) and used from there: counted, reduced as mergeable states per key
 * ({@link #mergedStates}, the job's run and scene reductions), and turned into the sample and quarantine tables by
 * column name. Only counts and merged states reach the driver.
 *
 * <p>Usage: {@code ScoredSamples s = ScoredSamples.persist(ShardRunner.apply(...)); s.counts();
 * s.mergedStates(...); s.sampleTable(...)}.
 */
public final class ScoredSamples {

    /** The order rejected rows are listed and reported in: source file, run, sample token, then the reason. */
    public static final Comparator<ScoredRow> REJECTED_ORDER = new RejectedOrder();

    private final JavaRDD<ScoredRow> rows;

    private ScoredSamples(JavaRDD<ScoredRow> rows) {
        this.rows = rows;
    }

    /**
     * Keeps {@code rows} on the executors (memory and disk): every later use reads them, not the input. In at most
     * one partition per task slot: a scored row is about 200 bytes, and the input's partitioning (one per 64 MB
     * split, 56 on the quarter-val bench) made every later pass (counts, the three reduction passes, the table
     * writes with one small file each) a stage of that many tiny tasks. The results do not depend on it.
     */
    public static ScoredSamples persist(JavaRDD<ScoredRow> rows) {
        int slots = Math.max(1, rows.context().defaultParallelism());
        JavaRDD<ScoredRow> kept = rows.getNumPartitions() > slots ? rows.coalesce(slots) : rows;
        kept.setName("infometer: scored rows");
        return new ScoredSamples(kept.persist(StorageLevel.MEMORY_AND_DISK()));
    }

    /** The rows. */
    public JavaRDD<ScoredRow> rows() {
        return rows;
    }

    /** Integer counts of one pass over the rows: exact, so the same for any partitioning and order. */
    public static final class Counts implements Serializable {
        private static final long serialVersionUID = 1L;
        private long rows;
        private final Map<String, Long> validByRun = new TreeMap<>();
        private final Map<String, Long> rejectedByReason = new TreeMap<>();
        private final Map<String, Long> quarantinedByRun = new TreeMap<>();

        Counts add(ScoredRow r) {
            rows++;
            if (r.rejected()) {
                rejectedByReason.merge(r.rejection().code(), 1L, Long::sum);
                if (r.runId() != null) {
                    quarantinedByRun.merge(r.runId(), 1L, Long::sum);
                }
            } else {
                validByRun.merge(r.runId(), 1L, Long::sum);
            }
            return this;
        }

        Counts merge(Counts o) {
            rows += o.rows;
            o.validByRun.forEach((k, v) -> validByRun.merge(k, v, Long::sum));
            o.rejectedByReason.forEach((k, v) -> rejectedByReason.merge(k, v, Long::sum));
            o.quarantinedByRun.forEach((k, v) -> quarantinedByRun.merge(k, v, Long::sum));
            return this;
        }

        /** Input rows: scored plus rejected. */
        public long rows() {
            return rows;
        }

        public long scored() {
            return validByRun.values().stream().mapToLong(Long::longValue).sum();
        }

        public long rejected() {
            return rows - scored();
        }

        /** Scored samples per run id (sorted). */
        public Map<String, Long> validByRun() {
            return validByRun;
        }

        /** Rejected rows per reason code (sorted). */
        public Map<String, Long> rejectedByReason() {
            return rejectedByReason;
        }

        /** Rejected rows per run id, for rows that have one (sorted). */
        public Map<String, Long> quarantinedByRun() {
            return quarantinedByRun;
        }
    }

    /** One pass of counts (the first use runs the apply pass and fills the cache). */
    public Counts counts() {
        return rows.treeAggregate(new Counts(), Counts::add, Counts::merge);
    }

    /** The first rejected row in {@link #REJECTED_ORDER}, or null when none was rejected. */
    public ScoredRow firstRejected() {
        List<ScoredRow> first = rows.filter(ScoredRow::rejected).takeOrdered(1, REJECTED_ORDER);
        return first.isEmpty() ? null : first.get(0);
    }

    /** The scored (valid) rows. */
    public JavaRDD<ScoredRow> valid() {
        return rows.filter(r -> !r.rejected());
    }

    /** Scored rows by sample token (the order the on-demand lists use within a run). */
    public static final Comparator<ScoredRow> SAMPLE_ORDER = new SampleOrder();

    /**
     * One pass of mergeable states over the scored samples: per partition, {@code pass} adds each sample (the row
     * as {@code toSample} gives it) to the states of its keys; the states are merged per key in a shuffle, and only
     * the merged states reach the driver. The pass travels as a broadcast (with what it carries), destroyed once its
     * states are collected. Keys must hash the same in every JVM (no enum or identity hash codes), or one key would
     * land in two partitions of the shuffle.
     */
    public <T, K, S> Map<K, S> mergedStates(Function<ScoredRow, T> toSample, KeyedPass<T, K, S> pass) {
        Broadcast<KeyedPass<T, K, S>> shared = JavaSparkContext.fromSparkContext(rows.context()).broadcast(pass);
        try {
            List<Tuple2<K, S>> merged = valid().map(toSample).mapPartitionsToPair(partitionStates(shared))
                    .reduceByKey((a, b) -> shared.value().merge(a, b)).collect();
            Map<K, S> out = new HashMap<>();
            merged.forEach(t -> out.merge(t._1(), t._2(), pass::merge));
            return out;
        } finally {
            shared.destroy();
        }
    }

    /** What {@link #mergedStates} runs: adds a sample to the states of its keys; merges two states of one key. */
    public interface KeyedPass<T, K, S> extends Serializable {

        void add(Map<K, S> states, T sample);

        /** {@code a} and {@code b} merged (may modify and return {@code a}); associative and commutative. */
        S merge(S a, S b);
    }

    private static <T, K, S> PairFlatMapFunction<Iterator<T>, K, S> partitionStates(
            Broadcast<KeyedPass<T, K, S>> shared) {
        return it -> {
            KeyedPass<T, K, S> pass = shared.value();
            Map<K, S> states = new HashMap<>();
            it.forEachRemaining(s -> pass.add(states, s));
            List<Tuple2<K, S>> out = new ArrayList<>(states.size());
            states.forEach((k, v) -> out.add(new Tuple2<>(k, v)));
            return out.iterator();
        };
    }

    /**
     * The {@code sample_mi} rows, built on the executors by column name; {@code constants} holds the columns that
     * are the same for every row (run date, job, modalities, estimator).
     */
    public Dataset<Row> sampleTable(SparkSession spark, Map<String, ?> constants) {
        TableContract table = TableContract.load("sample_mi");
        Map<String, Object> fixed = new HashMap<>(constants);
        JavaRDD<Row> out = valid().map(r -> {
            Map<String, Object> v = new HashMap<>(fixed);
            v.put("run_id", r.runId());
            v.put("scene_token", r.sceneToken());
            v.put("sample_token", r.sampleToken());
            v.put("timestamp", r.timestamp());
            v.put("fold", r.fold());
            v.put("token_count", r.tokens());
            v.put("hx_bits", finiteOrNull(r.bits().hxBits()));
            v.put("hy_bits", finiteOrNull(r.bits().hyBits()));
            v.put("hxy_bits", finiteOrNull(r.bits().hxyBits()));
            v.put("mi_bits", r.bits().miBits());
            v.put("mi_bits_per_token", r.bits().miBits() / r.tokens());
            return table.row(v);
        });
        return spark.createDataFrame(out, table.schema());
    }

    /** The {@code quarantine} rows (one per rejected input row), built on the executors by column name. */
    public Dataset<Row> quarantineTable(SparkSession spark, Map<String, ?> constants) {
        TableContract table = TableContract.load("quarantine");
        Map<String, Object> fixed = new HashMap<>(constants);
        JavaRDD<Row> out = rows.filter(ScoredRow::rejected).map(r -> {
            Map<String, Object> v = new HashMap<>(fixed);
            v.put("source_file", r.sourceFile());
            v.put("run_id", r.runId());
            v.put("scene_token", r.sceneToken());
            v.put("sample_token", r.sampleToken());
            v.put("column_name", r.rejection().column());
            v.put("reason_code", r.rejection().code());
            v.put("reason", r.rejection().reason());
            return table.row(v);
        });
        return spark.createDataFrame(out, table.schema());
    }

    /** {@code f} of the scored rows, sorted by run then {@link #SAMPLE_ORDER}, fetched when first used. */
    public <T> List<T> validOnDemand(Function<ScoredRow, T> f) {
        return new OnDemandList<>(() -> {
            List<ScoredRow> list = new ArrayList<>(valid().collect());
            list.sort(Comparator.comparing(ScoredRow::runId).thenComparing(SAMPLE_ORDER));
            List<T> out = new ArrayList<>(list.size());
            for (ScoredRow r : list) {
                try {
                    out.add(f.call(r));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            return out;
        });
    }

    /** The rejected rows in {@link #REJECTED_ORDER}, fetched when the list is first used. */
    public List<ScoredRow> rejectedOnDemand() {
        return new OnDemandList<>(() -> {
            List<ScoredRow> list = new ArrayList<>(rows.filter(ScoredRow::rejected).collect());
            list.sort(REJECTED_ORDER);
            return list;
        });
    }

    private static final class SampleOrder implements Comparator<ScoredRow>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(ScoredRow a, ScoredRow b) {
            return a.sampleToken().compareTo(b.sampleToken());
        }
    }

    private static final class RejectedOrder implements Comparator<ScoredRow>, Serializable {
        private static final long serialVersionUID = 1L;
        private static final Comparator<ScoredRow> ORDER = Comparator
                .comparing((ScoredRow r) -> String.valueOf(r.sourceFile()))
                .thenComparing(r -> String.valueOf(r.runId()))
                .thenComparing(r -> String.valueOf(r.sampleToken()))
                .thenComparing(r -> r.rejection().code())
                .thenComparing(r -> String.valueOf(r.rejection().column()))
                .thenComparing(r -> r.rejection().reason());

        @Override
        public int compare(ScoredRow a, ScoredRow b) {
            return ORDER.compare(a, b);
        }
    }

    /** Variational estimators give MI only: their NaN entropies are NULL in the tables, never NaN or 0. */
    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
