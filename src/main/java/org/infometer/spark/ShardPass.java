package org.infometer.spark;

import org.infometer.io.FeatureInput;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.infometer.schema.Rejection;
import org.infometer.schema.RowValidator;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * The one way a pass goes over the features: for each input partition, a fresh {@link Pass} gets every valid row
 * decoded ({@link FeatureRows}) and every invalid row as a {@link RejectedRow}, emits what it wants, and is closed
 * when the partition's task ends (also when it fails). Outputs stream: a pass that emits per row holds nothing.
 *
 * <p>Usage: {@link #map} for per-sample outputs (an RDD), {@link #reduceByKey} for per-key states merged across
 * partitions (only the merged states reach the driver).
 */
public final class ShardPass {

    private ShardPass() {
    }

    /** What one partition does with its rows; {@link Factory#create} makes one per partition. */
    public interface Pass<T> {

        /** Whether this valid sample's maps are needed; they are decoded only then. */
        default boolean needsMaps(DecodedSample ids) {
            return true;
        }

        /**
         * One valid sample ({@code row} is its internal row, for columns beyond the contract, and valid during
         * this call only).
         */
        void valid(DecodedSample sample, InternalRow row, Consumer<T> out);

        /** One row the validator refused; ignored unless the pass records rejections. */
        default void rejected(RejectedRow row, Consumer<T> out) {
        }

        /** After the partition's last row. */
        default void end(Consumer<T> out) {
        }

        /** Releases what the pass opened; called once, when the partition is done or its task ends. */
        default void close() {
        }
    }

    /** Makes the pass of one partition (index {@code partition}); shipped to the executors. */
    @FunctionalInterface
    public interface Factory<T> extends Serializable {
        Pass<T> create(int partition);
    }

    /**
     * The rows as Spark's internal rows (float arrays are copied out without boxing): from memory while
     * {@link CachedFeatures} keeps them, else from the input.
     */
    public static JavaRDD<InternalRow> internalRows(Dataset<Row> features) {
        JavaRDD<InternalRow> kept = CachedFeatures.rowsOf(features);
        return kept != null ? kept : FeatureInput.internalRows(features).toJavaRDD();
    }

    /** The outputs of {@code factory}'s passes over every partition of {@code features}. */
    public static <T> JavaRDD<T> map(Dataset<Row> features, RowValidator validator, Factory<T> factory) {
        return internalRows(features).mapPartitionsWithIndex(
                (Integer p, Iterator<InternalRow> rows) -> run(rows, validator, factory.create(p)), false);
    }

    /**
     * Per-key states: each partition's pass emits (key, state) pairs, merged by key with {@code merge}; only the
     * merged states come to the driver.
     */
    public static <K, S> Map<K, S> reduceByKey(Dataset<Row> features, RowValidator validator,
                                               Factory<Tuple2<K, S>> factory, Function2<S, S, S> merge) {
        return new HashMap<>(map(features, validator, factory).mapToPair(t -> t).reduceByKey(merge)
                .collectAsMap());
    }

    /** Drives one pass over one partition's rows, lazily; the iterator Spark consumes. */
    static <T> Iterator<T> run(Iterator<InternalRow> rows, RowValidator validator, Pass<T> pass) {
        PassIterator<T> it = new PassIterator<>(rows, validator, pass);
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((TaskContext t) -> it.close());
        }
        return it;
    }

    private static final class PassIterator<T> implements Iterator<T> {
        private final Iterator<InternalRow> rows;
        private final RowValidator validator;
        private final Pass<T> pass;
        private final ArrayDeque<T> buffer = new ArrayDeque<>();
        private final Consumer<T> out = buffer::add;
        private final RowValidator.Maps maps = new RowValidator.Maps();
        private boolean ended;
        private boolean closed;

        PassIterator(Iterator<InternalRow> rows, RowValidator validator, Pass<T> pass) {
            this.rows = rows;
            this.validator = validator;
            this.pass = pass;
        }

        @Override
        public boolean hasNext() {
            while (buffer.isEmpty() && !ended) {
                if (rows.hasNext()) {
                    InternalRow row = rows.next();
                    Rejection rejection = FeatureRows.check(row, validator, maps);
                    if (rejection != null) {
                        pass.rejected(FeatureRows.rejected(row, rejection), out);
                    } else {
                        DecodedSample ids = FeatureRows.decode(row, false);
                        pass.valid(pass.needsMaps(ids) ? FeatureRows.withMaps(ids, row, maps) : ids, row, out);
                    }
                    // The pass may keep the maps; this holder must not hand them to the next row.
                    maps.clear();
                } else {
                    ended = true;
                    try {
                        pass.end(out);
                    } finally {
                        close();
                    }
                }
            }
            return !buffer.isEmpty();
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return buffer.poll();
        }

        void close() {
            if (!closed) {
                closed = true;
                pass.close();
            }
        }
    }
}
