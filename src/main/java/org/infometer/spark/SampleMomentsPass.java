package org.infometer.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.storage.StorageLevel;
import org.infometer.estimate.FittedPairModel;
import org.infometer.estimate.JointMoments;
import org.infometer.estimate.MomentRow;
import org.infometer.estimate.MomentScoring;
import org.infometer.estimate.PairModelHandle;
import org.infometer.estimate.RunFold;
import org.infometer.estimate.SampleMoments;
import org.infometer.estimate.SceneProjector;
import org.infometer.estimate.ScoredRow;
import org.infometer.estimate.StableHash;
import org.infometer.schema.RowValidator;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Fit / apply for estimators that score from per-sample moments ({@link MomentScoring}, the Gaussian models): the
 * fit pass reads the feature maps once and keeps each sample's {@link SampleMoments} on the executors; the
 * per-(run, fold) states are merged from them and the apply pass scores the kept moments. The input is read once
 * and the apply pass does no matrix product over tokens.
 *
 * <p>Usage: {@link #keep} (lazy, persisted), {@link #foldMoments} (runs the fit pass), fit models on the driver,
 * then {@link #apply}; {@code unpersist} the kept rows once the scored rows are persisted and counted.
 */
public final class SampleMomentsPass {

    private SampleMomentsPass() {
    }

    /**
     * Each input row's moments (or rejection), kept at {@code level} from their first use on. Lost blocks are
     * recomputed from the input like any cached RDD, with the same bits.
     */
    public static JavaRDD<MomentRow> keep(Dataset<Row> features, RowValidator validator, int folds, long seed,
                                          StorageLevel level) {
        JavaRDD<MomentRow> kept = moments(features, validator, folds, seed);
        kept.setName("infometer: per-sample moments (" + level.description() + ")");
        return kept.persist(level);
    }

    /** Each input row's moments (or rejection), lazily and not kept. */
    static JavaRDD<MomentRow> moments(Dataset<Row> features, RowValidator validator, int folds, long seed) {
        // The rows are checked without recording channel ranges; a recording validator records them here, from
        // the moments' Gram diagonal, which rules out every channel that varies without comparing its values.
        JavaRDD<MomentRow> rows = ShardPass.map(features, validator.notRecording(),
                partition -> new ShardPass.Pass<MomentRow>() {
            private final SampleMoments.Workspace work = new SampleMoments.Workspace();

            @Override
            public void valid(DecodedSample s, InternalRow row, Consumer<MomentRow> out) {
                SampleMoments m = SampleMoments.of(s.x(), s.y(), s.tokens(), s.xChannels(), s.yChannels(), work);
                if (validator.records()) {
                    validator.record(s.runId(), s.x(), s.y(), s.tokens(), s.xChannels(), s.yChannels(),
                            j -> m.centredSquares(j) > 0);
                }
                out.accept(new MomentRow(s.runId(), s.sceneToken(), s.sampleToken(), s.timestamp(), s.sourceFile(),
                        StableHash.fold(s.sampleToken(), folds, seed), m, null));
            }

            @Override
            public void rejected(RejectedRow r, Consumer<MomentRow> out) {
                out.accept(new MomentRow(r.runId(), r.sceneToken(), r.sampleToken(), r.timestamp(), r.sourceFile(),
                        -1, null, r.rejection()));
            }
        });
        // One partition per task slot, not per input split: each partition's per-(run, fold) states go through
        // the shuffle (2 MB each at 256 + 256 channels), and 56 splits x 5 folds of them were a fifth of the fit
        // pass on the quarter-val bench. The moments and the merged states are the same either way.
        int slots = Math.max(1, features.sparkSession().sparkContext().defaultParallelism());
        return rows.getNumPartitions() > slots ? rows.coalesce(slots) : rows;
    }

    /** Per (run, fold) sufficient statistics of the kept samples, merged by key (exact sums: partition-invariant). */
    public static Map<RunFold, JointMoments> foldMoments(JavaRDD<MomentRow> rows) {
        return new TreeMap<>(rows.mapPartitionsToPair((Iterator<MomentRow> it) -> {
            Map<RunFold, JointMoments> states = new HashMap<>();
            while (it.hasNext()) {
                MomentRow r = it.next();
                if (!r.rejected()) {
                    SampleMoments m = r.moments();
                    states.computeIfAbsent(new RunFold(r.runId(), r.fold()),
                            k -> new JointMoments(m.channelsX(), m.channelsY())).add(m);
                }
            }
            List<Tuple2<RunFold, JointMoments>> out = new ArrayList<>();
            states.forEach((k, v) -> out.add(new Tuple2<>(k, v)));
            return out.iterator();
        }).reduceByKey(JointMoments::merge).collectAsMap());
    }

    /**
     * Scores every kept sample with the model of its (run, fold), with the in-fold check and the scene statistics
     * of {@link ShardRunner#apply}, and reports every rejected row with its reason. Lazy.
     */
    public static JavaRDD<ScoredRow> apply(JavaRDD<MomentRow> rows, int folds, long seed,
                                           Broadcast<? extends Map<RunFold, ? extends PairModelHandle>> models,
                                           Broadcast<? extends Map<String, ? extends SceneProjector>> scenes) {
        return rows.mapPartitions((Iterator<MomentRow> it) -> {
            Map<RunFold, ? extends PairModelHandle> handles = models.value();
            Map<String, ? extends SceneProjector> projectors = scenes == null ? Map.of() : scenes.value();
            Map<RunFold, MomentScoring> open = new HashMap<>();
            List<ScoredRow> out = new ArrayList<>();
            while (it.hasNext()) {
                MomentRow r = it.next();
                if (r.rejected()) {
                    out.add(Scored.rejected(r));
                    continue;
                }
                SampleMoments m = r.moments();
                RunFold key = new RunFold(r.runId(), r.fold());
                ScoredRow scored = Scored.of(r, open.computeIfAbsent(key, k -> scorer(handles, k)).score(m));
                RunFold seenBy = ShardRunner.inFoldCheck(r.sampleToken(), key, folds, seed, handles);
                if (seenBy != null) {
                    scored = scored.withInFold(open.computeIfAbsent(seenBy, k -> scorer(handles, k)).score(m));
                }
                SceneProjector projector = projectors.get(r.runId());
                out.add(projector == null ? scored : scored.withBlock(projector.stats(m)));
            }
            return out.iterator();
        });
    }

    private static MomentScoring scorer(Map<RunFold, ? extends PairModelHandle> handles, RunFold key) {
        FittedPairModel model = ShardRunner.openModel(handles, key);
        if (!(model instanceof MomentScoring s)) {
            throw new IllegalStateException("The " + model.estimator() + " model of run " + key.runId()
                    + " cannot score from sample moments");
        }
        return s;
    }
}
