package org.infometer.estimate;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.infometer.schema.FeatureContract;
import org.infometer.schema.Rejection;
import org.infometer.schema.RowValidator;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The two distributed passes of fit / apply / reduce. Rows are read as Spark's internal rows so float arrays are
 * copied out without boxing.
 *
 * <p>Usage: {@link #fitMoments} (one pass: per-partition {@link JointMoments} per run and fold, merged by key),
 * fit models on the driver, broadcast them, then {@link #apply} (second pass: codelengths or rejections per row).
 */
public final class ShardRunner {

    private ShardRunner() {
    }

    /** The rows as Spark's internal rows: float arrays are copied out without boxing. */
    public static JavaRDD<InternalRow> internalRows(Dataset<Row> features) {
        return features.queryExecution().toRdd().toJavaRDD();
    }

    /** Per (run, fold) sufficient statistics of the valid rows. Exact sums make the result partition-invariant. */
    public static Map<RunFold, JointMoments> fitMoments(Dataset<Row> features, RowValidator validator, int folds,
                                                        long seed) {
        Map<RunFold, JointMoments> out = internalRows(features).mapPartitionsToPair(rows -> {
            Map<RunFold, JointMoments> states = new HashMap<>();
            while (rows.hasNext()) {
                InternalRow row = rows.next();
                if (validator.check(row) != null) {
                    continue;
                }
                String run = row.getUTF8String(FeatureContract.RUN_ID).toString();
                String sample = row.getUTF8String(FeatureContract.SAMPLE).toString();
                int cx = row.getInt(FeatureContract.X_CHANNELS);
                int cy = row.getInt(FeatureContract.Y_CHANNELS);
                RunFold key = new RunFold(run, StableHash.fold(sample, folds, seed));
                states.computeIfAbsent(key, k -> new JointMoments(cx, cy))
                        .addSample(RowValidator.map(row, FeatureContract.X), RowValidator.map(row, FeatureContract.Y),
                                row.getInt(FeatureContract.X_TOKENS));
            }
            List<Tuple2<RunFold, JointMoments>> list = new ArrayList<>();
            states.forEach((k, v) -> list.add(new Tuple2<>(k, v)));
            return list.iterator();
        }).reduceByKey(JointMoments::merge).collectAsMap();
        return new TreeMap<>(out);
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

    private static FittedPairModel openModel(Map<RunFold, ? extends PairModelHandle> handles, RunFold key) {
        PairModelHandle h = handles.get(key);
        if (h == null) {
            throw new IllegalStateException("No fitted model for run " + key.runId() + ", fold " + key.fold()
                    + " (the fit pass saw no valid samples there)");
        }
        return h.open();
    }

    /** Scores every valid row with the model of its (run, fold) and reports every invalid row with its reason. */
    public static List<ScoredRow> apply(Dataset<Row> features, RowValidator validator, int folds, long seed,
                                        Broadcast<? extends Map<RunFold, ? extends PairModelHandle>> models) {
        return apply(features, validator, folds, seed, models, null);
    }

    /**
     * As {@link #apply(Dataset, RowValidator, int, long, Broadcast)}, also describing each scored row in its run's
     * scene coordinates when {@code scenes} (run id to projector) has a projector for the run.
     */
    public static List<ScoredRow> apply(Dataset<Row> features, RowValidator validator, int folds, long seed,
                                        Broadcast<? extends Map<RunFold, ? extends PairModelHandle>> models,
                                        Broadcast<? extends Map<String, ? extends SceneProjector>> scenes) {
        return internalRows(features).mapPartitions((Iterator<InternalRow> rows) -> {
            Map<RunFold, ? extends PairModelHandle> handles = models.value();
            Map<String, ? extends SceneProjector> projectors = scenes == null ? Map.of() : scenes.value();
            Map<RunFold, FittedPairModel> open = new HashMap<>();
            List<ScoredRow> out = new ArrayList<>();
            try {
                while (rows.hasNext()) {
                    InternalRow row = rows.next();
                    Rejection rejection = validator.check(row);
                    if (rejection != null) {
                        out.add(ScoredRow.rejected(row, rejection));
                        continue;
                    }
                    ScoredRow id = ScoredRow.identity(row);
                    RunFold key = new RunFold(id.runId(), StableHash.fold(id.sampleToken(), folds, seed));
                    FittedPairModel model = open.computeIfAbsent(key, k -> openModel(handles, k));
                    RunFold seenBy = inFoldCheck(id.sampleToken(), key, folds, seed, handles);
                    int tokens = row.getInt(FeatureContract.X_TOKENS);
                    float[] x = RowValidator.map(row, FeatureContract.X);
                    float[] y = RowValidator.map(row, FeatureContract.Y);
                    ScoredRow scored = id.withScore(key.fold(), tokens, model.score(x, y, tokens));
                    if (seenBy != null) {
                        FittedPairModel seen = open.computeIfAbsent(seenBy, k -> openModel(handles, k));
                        scored = scored.withInFold(seen.score(x, y, tokens));
                    }
                    SceneProjector projector = projectors.get(id.runId());
                    out.add(projector == null ? scored : scored.withBlock(projector.stats(x, y, tokens)));
                }
            } finally {
                // FittedPairModel's contract: the task that opened a model closes it (shared models ignore it).
                open.values().forEach(FittedPairModel::close);
            }
            return out.iterator();
        }).collect();
    }
}
