package org.infometer.job;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.infometer.estimate.StableHash;
import org.infometer.pid.CellVectors;
import org.infometer.schema.RowValidator;
import org.infometer.spark.DecodedSample;
import org.infometer.spark.ShardPass;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The PID counting pass: every sample's tokens are counted by cell on the executors and summed into one
 * {@link Group} per run and k (and per scene with a row, at the main k), with every bootstrap replicate's table
 * at once (the multiplicities drawn on the driver, {@link PidSampleKeys#weights}), and the tokens the MINE
 * complementarity keeps. Only the merged groups reach the driver, one partition at a time and in key order.
 *
 * <p>Memory: a group holds occupied cells x (1 + 2B) longs and, at the run level of the main k, the MINE tokens
 * (about {@link PidAnalysis#MINE_MAX_TOKENS} per run). An executor's partition holds the groups its samples
 * touch; the driver holds one partition of the merged, sorted groups while it solves them.
 */
final class PidCounting {

    private PidCounting() {
    }

    /** A group: run-level (scene null) at the ki-th k, or one scene's at the main k. Run level sorts first. */
    record GroupKey(String runId, int kIndex, String sceneToken) implements Comparable<GroupKey>, Serializable {

        static final Comparator<GroupKey> ORDER = Comparator.comparing(GroupKey::runId)
                .thenComparingInt(GroupKey::kIndex)
                .thenComparing(GroupKey::sceneToken, Comparator.nullsFirst(Comparator.naturalOrder()));

        @Override
        public int compareTo(GroupKey o) {
            return ORDER.compare(this, o);
        }
    }

    /** A token the MINE complementarity keeps: copy {@code copy} of {@code cell} in a sample, and its fold. */
    record MineToken(String sampleToken, long cell, long copy, int fold) implements Serializable {

        /** The per-sample path's order: samples by token, cells ascending, copies in turn. */
        static final Comparator<MineToken> ORDER = Comparator.comparing(MineToken::sampleToken)
                .thenComparingLong(MineToken::cell).thenComparingLong(MineToken::copy);
    }

    /** The summed tables of one group and, at the run level of the main k, the MINE tokens (in no order). */
    static final class Group implements Serializable {
        private static final long serialVersionUID = 1L;
        final CellVectors tables;
        final ArrayList<MineToken> mine = new ArrayList<>();

        Group(int width) {
            tables = new CellVectors(width);
        }

        Group merge(Group other) {
            tables.merge(other.tables);
            mine.addAll(other.mine);
            return this;
        }
    }

    /** What the executors need: the discretisers, the draws, which scenes get rows, the MINE sampling. */
    record Plan(Map<String, PidJob.RunDiscretizers> discretizers, Map<String, PidSampleKeys.Weights> weights,
                Set<String> sceneRows, Map<String, Double> mineRate, long seed, int nk, int replicates,
                boolean perToken) implements Serializable {

        int width() {
            return 1 + 2 * replicates;
        }
    }

    /** The merged groups, sorted by key; {@code toLocalIterator} brings them one partition at a time. */
    static JavaPairRDD<GroupKey, Group> count(Dataset<Row> features, RowValidator validator, Broadcast<Plan> bp) {
        return count(features, validator, bp, GROUPS_PER_FETCH);
    }

    /** As {@link #count(Dataset, RowValidator, Broadcast)}, about {@code groupsPerFetch} groups per partition. */
    static JavaPairRDD<GroupKey, Group> count(Dataset<Row> features, RowValidator validator, Broadcast<Plan> bp,
                                              int groupsPerFetch) {
        Plan p = bp.value();
        // The driver fetches one sorted partition per job: a few dozen groups each, not hundreds of tiny jobs.
        int partitions = Math.max(1, Math.min(ShardPass.internalRows(features).getNumPartitions(),
                (p.discretizers().size() * p.nk() + p.sceneRows().size()) / groupsPerFetch));
        JavaPairRDD<GroupKey, Group> merged = ShardPass.map(features, validator, partition -> new ShardPass.Pass<Tuple2<GroupKey, Group>>() {
            private final Plan plan = bp.value();
            private final Map<GroupKey, Group> groups = new HashMap<>();

            @Override
            public void valid(DecodedSample s, InternalRow row, Consumer<Tuple2<GroupKey, Group>> out) {
                PidJob.Target read = PidJob.target(row, s.tokens(), plan.perToken());
                if (read.rejection() != null) {
                    return;   // the keys pass reported it
                }
                String run = s.runId();
                PidJob.RunDiscretizers d = plan.discretizers().get(run);
                PidSampleKeys.Weights w = plan.weights().get(PidSampleKeys.key(run, s.sampleToken()));
                boolean sceneRow = plan.sceneRows().contains(PidSampleKeys.key(run, s.sceneToken()));
                float[] sx = new float[d.x().dims()];
                float[] sy = new float[d.y().dims()];
                for (int ki = 0; ki < plan.nk(); ki++) {
                    TreeMap<Long, Long> cells = PidJob.cells(d, s, read.values(), ki, sx, sy);
                    add(new GroupKey(run, ki, null), cells, w == null ? null : w.block(ki));
                    if (ki == 0 && sceneRow) {
                        add(new GroupKey(run, 0, s.sceneToken()), cells, w == null ? null : w.block(plan.nk()));
                    }
                    if (ki == 0) {
                        keepMineTokens(run, s.sampleToken(), cells, groups.get(new GroupKey(run, 0, null)).mine);
                    }
                }
            }

            private void add(GroupKey key, TreeMap<Long, Long> cells, int[] multiplicity) {
                CellVectors t = groups.computeIfAbsent(key, k -> new Group(plan.width())).tables;
                cells.forEach((cell, count) -> t.add(cell, count, multiplicity));
            }

            /** The per-sample path's rule: a stable hash of (sample, cell, copy) under the run's rate. */
            private void keepMineTokens(String run, String sampleToken, TreeMap<Long, Long> cells,
                                        List<MineToken> into) {
                double rate = plan.mineRate().get(run);
                long hashSeed = PidAnalysis.mineHashSeed(run, plan.seed());
                int fold = StableHash.fold(sampleToken, PidAnalysis.MINE_FOLDS, hashSeed);
                long sh = StableHash.of(sampleToken, hashSeed);
                cells.forEach((cell, count) -> {
                    for (long c = 0; c < count; c++) {
                        if (PidAnalysis.mineKeeps(StableHash.combine(sh, cell, c), rate)) {
                            into.add(new MineToken(sampleToken, cell, c, fold));
                        }
                    }
                });
            }

            @Override
            public void end(Consumer<Tuple2<GroupKey, Group>> out) {
                groups.forEach((k, g) -> out.accept(new Tuple2<>(k, g)));
                groups.clear();
            }
        }).mapToPair(t -> t).reduceByKey(Group::merge);
        return merged.sortByKey(true, partitions);
    }

    /** Groups the driver holds at once, about (a scene's group is small; a run's holds its MINE tokens too). */
    static final int GROUPS_PER_FETCH = 32;

    /** The merged groups in key order, streamed to the driver. */
    static Iterator<Tuple2<GroupKey, Group>> groups(JavaPairRDD<GroupKey, Group> counted) {
        return counted.toLocalIterator();
    }
}
