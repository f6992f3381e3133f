package org.infometer.estimate.variational;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.infometer.estimate.RunFold;
import org.infometer.estimate.StableHash;
import org.infometer.spark.DecodedSample;
import org.infometer.spark.ShardPass;
import org.infometer.schema.RowValidator;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The critics' training data: per (run, fold), the at most {@code maxTokens} tokens of the fold's valid samples
 * with the smallest stable hash of (sample_token, token index). Each partition keeps its own smallest ones in a
 * bounded heap, and merging keeps the smallest of the union, so the subsample is the same for any partitioning
 * and executors never hold more than {@code maxTokens} tokens per (run, fold) beyond their current row.
 */
final class TokenSubsample {

    /** One kept token. */
    record Token(long hash, String sample, int index, float[] x, float[] y) implements Serializable {
    }

    /** The kept tokens of one (run, fold), in hash order, as row-major maps; {@code seen}: the fold's tokens. */
    record Tokens(float[] x, float[] y, int n, int cx, int cy, long seen) implements Serializable {
    }

    /** Hash, then sample and index: a total order, so ties cannot depend on arrival order. */
    static final class Order implements Comparator<Token>, Serializable {
        private static final long serialVersionUID = 1L;
        private final int sign;

        Order(int sign) {
            this.sign = sign;
        }

        @Override
        public int compare(Token a, Token b) {
            int c = Long.compare(a.hash(), b.hash());
            if (c == 0) {
                c = a.sample().compareTo(b.sample());
            }
            if (c == 0) {
                c = Integer.compare(a.index(), b.index());
            }
            return sign * c;
        }
    }

    private static final Order ORDER = new Order(1);

    private TokenSubsample() {
    }

    static Map<RunFold, Tokens> gather(Dataset<Row> features, RowValidator validator, int folds, long seed,
                                       int maxTokens) {
        long hashSeed = StableHash.combine(seed, 0x5ab5a3L);
        ShardPass.Factory<Tuple2<RunFold, Part>> factory = partition -> new ShardPass.Pass<>() {
            private final Map<RunFold, Part> parts = new HashMap<>();

            @Override
            public void valid(DecodedSample s, InternalRow row, Consumer<Tuple2<RunFold, Part>> out) {
                Part part = parts.computeIfAbsent(new RunFold(s.runId(), StableHash.fold(s.sampleToken(), folds,
                        seed)), k -> new Part(maxTokens, s.xChannels(), s.yChannels()));
                long sampleHash = StableHash.of(s.sampleToken(), hashSeed);
                for (int t = 0; t < s.tokens(); t++) {
                    part.offer(StableHash.combine(sampleHash, t), s.sampleToken(), t, s.x(), s.y());
                }
            }

            @Override
            public void end(Consumer<Tuple2<RunFold, Part>> out) {
                parts.forEach((k, v) -> out.accept(new Tuple2<>(k, v)));
            }
        };
        Map<RunFold, Part> merged = ShardPass.reduceByKey(features, validator, factory, Part::merge);
        Map<RunFold, Tokens> out = new TreeMap<>();
        merged.forEach((k, v) -> out.put(k, v.tokens()));
        return out;
    }

    /** A bounded max-heap of the smallest-hash tokens seen. */
    static final class Part implements Serializable {
        private final int max;
        private final int cx;
        private final int cy;
        private long seen;
        private final PriorityQueue<Token> heap;

        Part(int max, int cx, int cy) {
            this.max = max;
            this.cx = cx;
            this.cy = cy;
            this.heap = new PriorityQueue<>(new Order(-1));
        }

        void offer(long hash, String sample, int t, float[] x, float[] y) {
            seen++;
            if (heap.size() >= max) {
                Token top = heap.peek();
                if (ORDER.compare(new Token(hash, sample, t, null, null), top) >= 0) {
                    return;
                }
                heap.poll();
            }
            heap.add(new Token(hash, sample, t, Arrays.copyOfRange(x, t * cx, (t + 1) * cx),
                    Arrays.copyOfRange(y, t * cy, (t + 1) * cy)));
        }

        Part merge(Part other) {
            if (other.cx != cx || other.cy != cy) {
                throw new IllegalStateException("channel counts differ within one run: " + cx + "+" + cy + " vs "
                        + other.cx + "+" + other.cy);
            }
            for (Token t : other.heap) {
                if (heap.size() < max) {
                    heap.add(t);
                } else if (ORDER.compare(t, heap.peek()) < 0) {
                    heap.poll();
                    heap.add(t);
                }
            }
            seen += other.seen;
            return this;
        }

        Tokens tokens() {
            List<Token> list = new ArrayList<>(heap);
            list.sort(ORDER);
            int n = list.size();
            float[] x = new float[n * cx];
            float[] y = new float[n * cy];
            for (int i = 0; i < n; i++) {
                System.arraycopy(list.get(i).x(), 0, x, i * cx, cx);
                System.arraycopy(list.get(i).y(), 0, y, i * cy, cy);
            }
            return new Tokens(x, y, n, cx, cy, seen);
        }
    }
}
