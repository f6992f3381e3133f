package org.infometer.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.infometer.estimate.FittedPairModel;
import org.infometer.estimate.JointMoments;
import org.infometer.estimate.PairModelHandle;
import org.infometer.estimate.RunFold;
import org.infometer.estimate.SceneProjector;
import org.infometer.estimate.ScoredRow;
import org.infometer.estimate.StableHash;
import org.infometer.schema.RowValidator;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The two distributed passes of fit / apply / reduce, both {@link ShardPass}es.
 *
 * <p>Usage: {@link #fitMoments} (one pass: per-partition {@link JointMoments} per run and fold, merged by key),
 * fit models on the driver, broadcast them, then {@link #apply} (second pass: codelengths or rejections per row,
 * an RDD that stays on the executors).
 */
public final class ShardRunner {

    private ShardRunner() {
    }

    /**
     * Per (run, fold) sufficient statistics of the valid rows, without keeping the samples' moments (the same
     * states as {@link SampleMomentsPass#foldMoments}, which it is). Exact sums make the result partition-invariant.
     */
    public static Map<RunFold, JointMoments> fitMoments(Dataset<Row> features, RowValidator validator, int folds,
                                                        long seed) {
        return SampleMomentsPass.foldMoments(SampleMomentsPass.moments(features, validator, folds, seed));
    }

    /** One sample in this many is also scored in fold, for the overfit check; the rest pay nothing for it. */
    public static final int IN_FOLD_EVERY = 10;

    /**
     * The model that was fitted with this sample (the next fold's: every other fold's model saw it), for a stable
     * one-in-{@link #IN_FOLD_EVERY} subsample; null for other samples or when there is no such model.
     */
    static RunFold inFoldCheck(String sampleToken, RunFold own, int folds, long seed,
                               Map<RunFold, ? extends PairModelHandle> handles) {
        if (folds < 2 || StableHash.fold(sampleToken, IN_FOLD_EVERY, StableHash.combine(seed, 0x1f01d)) != 0) {
            return null;
        }
        RunFold other = new RunFold(own.runId(), (own.fold() + 1) % folds);
        return handles.containsKey(other) ? other : null;
    }

    static FittedPairModel openModel(Map<RunFold, ? extends PairModelHandle> handles, RunFold key) {
        PairModelHandle h = handles.get(key);
        if (h == null) {
            throw new IllegalStateException("No fitted model for run " + key.runId() + ", fold " + key.fold()
                    + " (the fit pass saw no valid samples there)");
        }
        return h.open();
    }

    /** Scores every valid row with the model of its (run, fold) and reports every invalid row with its reason. */
    public static JavaRDD<ScoredRow> apply(Dataset<Row> features, RowValidator validator, int folds, long seed,
                                           Broadcast<? extends Map<RunFold, ? extends PairModelHandle>> models) {
        return apply(features, validator, folds, seed, models, null);
    }

    /**
     * As {@link #apply(Dataset, RowValidator, int, long, Broadcast)}, also describing each scored row in its run's
     * scene coordinates when {@code scenes} (run id to projector) has a projector for the run. Lazy: nothing runs
     * until the RDD is used (persist it when it is used more than once).
     */
    public static JavaRDD<ScoredRow> apply(Dataset<Row> features, RowValidator validator, int folds, long seed,
                                           Broadcast<? extends Map<RunFold, ? extends PairModelHandle>> models,
                                           Broadcast<? extends Map<String, ? extends SceneProjector>> scenes) {
        return ShardPass.map(features, validator, partition -> new ShardPass.Pass<ScoredRow>() {
            private final Map<RunFold, ? extends PairModelHandle> handles = models.value();
            private final Map<String, ? extends SceneProjector> projectors = scenes == null ? Map.of()
                    : scenes.value();
            private final Map<RunFold, FittedPairModel> open = new HashMap<>();

            @Override
            public void valid(DecodedSample s, InternalRow row, Consumer<ScoredRow> out) {
                RunFold key = new RunFold(s.runId(), StableHash.fold(s.sampleToken(), folds, seed));
                FittedPairModel model = open.computeIfAbsent(key, k -> openModel(handles, k));
                RunFold seenBy = inFoldCheck(s.sampleToken(), key, folds, seed, handles);
                ScoredRow scored = Scored.of(s, key.fold(), model.score(s.x(), s.y(), s.tokens()));
                if (seenBy != null) {
                    FittedPairModel seen = open.computeIfAbsent(seenBy, k -> openModel(handles, k));
                    scored = scored.withInFold(seen.score(s.x(), s.y(), s.tokens()));
                }
                SceneProjector projector = projectors.get(s.runId());
                out.accept(projector == null ? scored : scored.withBlock(projector.stats(s.x(), s.y(), s.tokens())));
            }

            @Override
            public void rejected(RejectedRow r, Consumer<ScoredRow> out) {
                out.accept(Scored.rejected(r));
            }

            @Override
            public void close() {
                // FittedPairModel's contract: the task that opened a model closes it (shared models ignore it).
                open.values().forEach(FittedPairModel::close);
            }
        });
    }
}
