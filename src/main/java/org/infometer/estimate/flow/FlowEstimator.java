package org.infometer.estimate.flow;

import org.apache.spark.Partitioner;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.Dataset;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.infometer.estimate.CrossFitEstimator;
import org.infometer.estimate.FittedPairModel;
import org.infometer.estimate.PairModelHandle;
import org.infometer.estimate.RunFold;
import org.infometer.estimate.ScoredRow;
import org.infometer.estimate.ShardFitting;
import org.infometer.estimate.ShardScoredRow;
import org.infometer.estimate.StableHash;
import org.infometer.progress.Progress;
import org.infometer.schema.FeatureContract;
import org.infometer.schema.RowValidator;
import org.infometer.spark.DecodedSample;
import org.infometer.spark.RejectedRow;
import org.infometer.spark.Scored;
import org.infometer.spark.ShardPass;
import scala.Tuple2;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The learned (flow) estimator on Spark, {@code fitMode = global}: for every (run, fold k) one
 * {@link FlowPairModel} trained on a bounded deterministic subsample of the run's samples outside fold k.
 *
 * <p>Training runs on executors: a counting pass gives the tokens per (run, fold); every valid row's subsampled
 * tokens (kept when a stable hash of (sample_token, token index) falls below the model's rate; whole samples at
 * map granularity) are keyed by each model that may see them, shuffled into one partition per model, sorted by
 * sample_token and fitted in that task. The task returns the saved model files and its training curve; the driver
 * logs the curves, writes the files (to the model store with {@code storeMode = save}, else to a temporary
 * directory) and returns embedded {@link FlowModelHandle}s. The models, hence the codelengths, do not depend on
 * the input partitioning (on CPU with a fixed {@code intraOpThreads}).
 *
 * <p>With {@code storeMode = load} nothing is fitted: the handles come from the store, whose input fingerprint
 * (pair columns, channels, granularity) must match the input.
 *
 * <p>Device: with {@code device = auto}, each task trains and scores on the GPU Spark assigned to it (task
 * resource {@code gpu}) when DJL sees a GPU, on the CPU otherwise.
 *
 * <p>{@code fitMode = per-shard} ({@link #fitAndScore}): each input partition fits its own (run, fold) models on
 * its own rows and scores its rows out of fold; results then depend on the input partitioning.
 */
public final class FlowEstimator implements CrossFitEstimator, ShardFitting {

    /**
     * Epoch lines as training runs, on the executor's log (debug level): the whole curve reaches the driver's
     * progress log when a model is done, so an embedded console is not flooded while tasks train.
     */
    private static final org.slf4j.Logger EPOCH_LOG = org.slf4j.LoggerFactory.getLogger(FlowEstimator.class);

    public static final String STORE_MANIFEST = "flow-store.json";

    private final FlowGranularity granularity;
    private final FlowJobOptions options;

    public FlowEstimator(FlowGranularity granularity, FlowJobOptions options) {
        this.granularity = granularity;
        this.options = options;
    }

    /** Parses the job's options (fails with a message naming the option before Spark starts). */
    public static FlowEstimator fromJob(String granularity, Map<String, Object> options) {
        FlowGranularity g = FlowGranularity.parse(granularity);
        return new FlowEstimator(g, FlowJobOptions.parse(g, options));
    }

    @Override
    public String name() {
        return granularity.estimatorName();
    }

    public FlowJobOptions options() {
        return options;
    }

    /**
     * Stable hash of what a model's input must look like: the pair's column names, their channel counts and the
     * estimator granularity.
     */
    public static String fingerprint(String x, int channelsX, String y, int channelsY, FlowGranularity g) {
        String desc = "x=" + x + ";cx=" + channelsX + ";y=" + y + ";cy=" + channelsY + ";estimator="
                + g.estimatorName();
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(desc.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                sb.append(String.format(Locale.ROOT, "%02x", d[i]));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    String fingerprint(RowValidator validator, String run) {
        int[] c = validator.channels(run);
        if (c == null) {
            throw new IllegalStateException("No channel counts known for run " + run);
        }
        FeatureContract fc = validator.contract();
        return fingerprint(fc.x(), c[0], fc.y(), c[1], granularity);
    }

    @Override
    public Fitted fit(Dataset<Row> features, RowValidator validator, Settings settings, Progress progress) {
        features.sparkSession().sparkContext().setJobDescription("infometer: flow fit (token counts per fold)");
        Map<RunFold, Long> tokens = tokenCounts(features, validator, settings);
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("No valid samples to fit the flow estimator on");
        }
        if (options.storeMode().equals("load")) {
            return load(tokens.keySet(), validator, settings, progress);
        }
        return train(features, validator, settings, progress, tokens);
    }

    private static Map<RunFold, Long> tokenCounts(Dataset<Row> features, RowValidator validator,
            Settings settings) {
        int folds = settings.folds();
        long seed = settings.seed();
        ShardPass.Factory<Tuple2<RunFold, Long>> factory = partition -> new ShardPass.Pass<>() {
            private final Map<RunFold, Long> m = new HashMap<>();

            @Override
            public boolean needsMaps(DecodedSample ids) {
                return false;
            }

            @Override
            public void valid(DecodedSample s, InternalRow row, Consumer<Tuple2<RunFold, Long>> out) {
                m.merge(new RunFold(s.runId(), StableHash.fold(s.sampleToken(), folds, seed)), (long) s.tokens(),
                        Long::sum);
            }

            @Override
            public void end(Consumer<Tuple2<RunFold, Long>> out) {
                m.forEach((k, v) -> out.accept(new Tuple2<>(k, v)));
            }
        };
        return new TreeMap<>(ShardPass.reduceByKey(features, validator, factory, Long::sum));
    }

    // ---------------------------------------------------------------- fit

    /** The fit pass of one partition: each valid sample's kept tokens, keyed by the model they train. */
    private static ShardPass.Pass<Tuple2<Integer, TrainRow>> trainRows(Map<String, Map<Integer, Integer>> index,
            List<ModelJob> jobs, int folds, long seed, FlowGranularity g) {
        return new ShardPass.Pass<Tuple2<Integer, TrainRow>>() {
            @Override
            public boolean needsMaps(DecodedSample ids) {
                int own = StableHash.fold(ids.sampleToken(), folds, seed);
                return index.get(ids.runId()).keySet().stream().anyMatch(f -> f != own);
            }

            @Override
            public void valid(DecodedSample s, InternalRow row, Consumer<Tuple2<Integer, TrainRow>> out) {
                String sample = s.sampleToken();
                int own = StableHash.fold(sample, folds, seed);
                long sampleHash = StableHash.of(sample, seed ^ 0x5375627361L);
                for (Map.Entry<Integer, Integer> m : index.get(s.runId()).entrySet()) {
                    if (m.getKey() == own) {
                        continue;
                    }
                    ModelJob job = jobs.get(m.getValue());
                    TrainRow kept = subsample(sample, sampleHash, s.x(), s.y(), s.tokens(), s.xChannels(),
                            s.yChannels(), job.rate(), g);
                    if (kept != null) {
                        out.accept(new Tuple2<>(m.getValue(), kept));
                    }
                }
            }
        };
    }

    /** One model to train: its key, the rate its tokens are kept at, its seed and input fingerprint. */
    record ModelJob(RunFold key, double rate, long seedKey, String fingerprint, int channelsX, int channelsY)
            implements Serializable {
    }

    /** One sample's kept tokens, as shuffled to the task that trains a model. */
    record TrainRow(String sampleToken, float[] x, float[] y, int tokens) implements Serializable {
    }

    /** What a training task sends back: the saved model files, its curve lines and sizes. */
    record TrainResult(int index, Map<String, byte[]> files, List<String> curve, long samples, long tokens,
            double heldOutMi, double seconds, String device) implements Serializable {
    }

    private Fitted train(Dataset<Row> features, RowValidator validator, Settings settings, Progress progress,
            Map<RunFold, Long> tokens) {
        int folds = settings.folds();
        long seed = settings.seed();
        Map<String, Long> byRun = new TreeMap<>();
        tokens.forEach((k, v) -> byRun.merge(k.runId(), v, Long::sum));
        List<ModelJob> jobs = new ArrayList<>();
        for (Map.Entry<RunFold, Long> e : tokens.entrySet()) {
            RunFold key = e.getKey();
            long trainTokens = byRun.get(key.runId()) - e.getValue();
            if (trainTokens <= 0) {
                throw new IllegalArgumentException("Run " + key.runId() + " has valid samples in fold " + key.fold()
                        + " only; cross-fitting needs samples in at least two folds");
            }
            double rate = Math.min(1.0, options.maxTokensPerModel() / (double) trainTokens);
            long seedKey = StableHash.combine(seed, StableHash.of(key.runId(), seed), key.fold(), 0x666c6f77L);
            int[] c = validator.channels(key.runId());
            jobs.add(new ModelJob(key, rate, seedKey, fingerprint(validator, key.runId()), c[0], c[1]));
        }
        Map<String, Map<Integer, Integer>> index = new HashMap<>();
        for (int i = 0; i < jobs.size(); i++) {
            index.computeIfAbsent(jobs.get(i).key().runId(), r -> new HashMap<>()).put(jobs.get(i).key().fold(), i);
        }
        FlowGranularity g = granularity;
        FlowConfig config = options.config();

        features.sparkSession().sparkContext().setJobDescription("infometer: flow fit (" + jobs.size()
                + " models, one task each)");
        JavaPairRDD<Integer, TrainRow> keyed = ShardPass.map(features, validator,
                partition -> trainRows(index, jobs, folds, seed, g)).mapToPair(t -> t);
        List<TrainResult> results = keyed.partitionBy(new ModelPartitioner(jobs.size()))
                .mapPartitions(it -> trainTask(it, jobs, config)).collect();

        Map<RunFold, PairModelHandle> handles = new TreeMap<>();
        Path root = null;
        try {
            if (options.storeMode().equals("save")) {
                root = Paths.get(options.modelStore());
                Files.createDirectories(root);
            } else {
                root = Files.createTempDirectory("flow-fit-");
            }
            List<Map<String, Object>> stored = new ArrayList<>();
            for (TrainResult r : results.stream().sorted(Comparator.comparingInt(TrainResult::index)).toList()) {
                ModelJob job = jobs.get(r.index());
                progress.info(String.format(Locale.ROOT,
                        "flow model run %s fold %d: %,d samples, %,d tokens, %.1f s on %s, held-out MI %.4f "
                                + "bits/token", job.key().runId(), job.key().fold(), r.samples(), r.tokens(),
                        r.seconds(), r.device(), r.heldOutMi()));
                for (String line : r.curve()) {
                    progress.info("  " + line);
                }
                Path dir = modelDir(root, job.key());
                writeFiles(dir, r.files());
                handles.put(job.key(), new TaskDeviceHandle(FlowModelHandle.embedded(dir, job.fingerprint()),
                        config.device()));
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("run", job.key().runId());
                entry.put("fold", job.key().fold());
                entry.put("path", root.relativize(dir).toString());
                entry.put("inputFingerprint", job.fingerprint());
                entry.put("trainSamples", r.samples());
                entry.put("trainTokens", r.tokens());
                entry.put("heldOutMiBitsPerToken", r.heldOutMi());
                stored.add(entry);
            }
            if (results.size() != jobs.size()) {
                throw new IllegalStateException("Expected " + jobs.size() + " trained flow models, got "
                        + results.size());
            }
            if (options.storeMode().equals("save")) {
                writeManifest(root, settings, stored);
                progress.info("flow models saved to " + root.toAbsolutePath());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write flow models under " + root, e);
        } finally {
            if (!options.storeMode().equals("save")) {
                deleteQuietly(root);
            }
        }
        return new Fitted(handles, Map.of());
    }

    /** Keeps a sample's tokens whose stable hash falls below {@code rate} (the whole sample at map granularity). */
    static TrainRow subsample(String sample, long sampleHash, float[] x, float[] y, int tokens, int cx, int cy,
            double rate, FlowGranularity g) {
        if (rate >= 1.0) {
            return new TrainRow(sample, x, y, tokens);
        }
        if (g == FlowGranularity.MAP) {
            return uniform(sampleHash) < rate ? new TrainRow(sample, x, y, tokens) : null;
        }
        int kept = 0;
        boolean[] keep = new boolean[tokens];
        for (int t = 0; t < tokens; t++) {
            keep[t] = uniform(StableHash.combine(sampleHash, t)) < rate;
            kept += keep[t] ? 1 : 0;
        }
        if (kept == 0) {
            return null;
        }
        float[] kx = new float[kept * cx];
        float[] ky = new float[kept * cy];
        int j = 0;
        for (int t = 0; t < tokens; t++) {
            if (keep[t]) {
                System.arraycopy(x, t * cx, kx, j * cx, cx);
                System.arraycopy(y, t * cy, ky, j * cy, cy);
                j++;
            }
        }
        return new TrainRow(sample, kx, ky, kept);
    }

    private static double uniform(long h) {
        return (h >>> 11) * 0x1.0p-53;
    }

    /** Trains the one model of this partition (empty partitions return nothing). */
    private static Iterator<TrainResult> trainTask(Iterator<Tuple2<Integer, TrainRow>> it, List<ModelJob> jobs,
            FlowConfig config) {
        List<TrainRow> rows = new ArrayList<>();
        int index = -1;
        while (it.hasNext()) {
            Tuple2<Integer, TrainRow> t = it.next();
            if (index >= 0 && index != t._1()) {
                throw new IllegalStateException("Flow fit partition holds rows of two models: " + index + ", "
                        + t._1());
            }
            index = t._1();
            rows.add(t._2());
        }
        if (index < 0) {
            return List.<TrainResult>of().iterator();
        }
        rows.sort(Comparator.comparing(TrainRow::sampleToken));
        ModelJob job = jobs.get(index);
        String device = taskDevice(config.device());
        FlowConfig taskConfig = config.toBuilder().device(device).build();
        long start = System.nanoTime();
        String prefix = "run " + job.key().runId() + " fold " + job.key().fold();
        FlowProgressListener log = (flow, epoch, train, held) -> EPOCH_LOG.debug(String.format(Locale.ROOT,
                "[flow %s] %s epoch %d: train %.4f, held-out %.4f bits/token", prefix, flow, epoch, train, held));
        Path tmp = null;
        try (FlowPairModel model = FlowTrainer.fit(rows.stream().map(r -> new PairSample(r.x(), r.y(), r.tokens()))
                .iterator(), job.channelsX(), job.channelsY(), taskConfig, job.seedKey(), log)) {
            rows = null;
            tmp = Files.createTempDirectory("flow-task-");
            FlowModelStore.save(model, tmp, job.fingerprint());
            Map<String, byte[]> files = new TreeMap<>();
            try (Stream<Path> list = Files.list(tmp)) {
                for (Path p : (Iterable<Path>) list::iterator) {
                    files.put(p.getFileName().toString(), Files.readAllBytes(p));
                }
            }
            List<String> curve = new ArrayList<>();
            model.summary().curves().forEach((flow, c) -> {
                StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                        "%-2s best epoch %d, held-out %.4f bits/token, stop: %s; epochs (train/held-out):", flow,
                        c.bestEpoch(), c.bestHeldOutBitsPerToken(), c.stopReason()));
                for (FlowCurve.Epoch e : c.epochs()) {
                    sb.append(String.format(Locale.ROOT, " %d:%.3f/%.3f", e.epoch(), e.trainBitsPerToken(),
                            e.heldOutBitsPerToken()));
                }
                curve.add(sb.toString());
            });
            double seconds = (System.nanoTime() - start) / 1e9;
            return List.of(new TrainResult(index, files, curve, model.summary().samplesBuffered(),
                    model.summary().tokensBuffered(),
                    model.summary().heldOutMiBitsPerToken(), seconds, device)).iterator();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot save flow model of " + prefix, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** One partition per model index. */
    static final class ModelPartitioner extends Partitioner {
        private final int n;

        ModelPartitioner(int n) {
            this.n = n;
        }

        @Override
        public int numPartitions() {
            return n;
        }

        @Override
        public int getPartition(Object key) {
            return (Integer) key;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ModelPartitioner p && p.n == n;
        }

        @Override
        public int hashCode() {
            return n;
        }
    }

    // ---------------------------------------------------------------- per-shard

    @Override
    public boolean perShard() {
        return options.fitMode().equals("per-shard");
    }

    /** One valid row of a shard, held in memory while the shard's models are fitted and applied. */
    private record ShardRow(ScoredRow id, int fold, int tokens, int channelsX, int channelsY, float[] x,
            float[] y) {

        String run() {
            return id.runId();
        }

        String sample() {
            return id.sampleToken();
        }
    }

    /** What the planning pass sees of a shard: its id and valid samples per (run, fold). */
    record ShardPlan(int partition, String shardId, Map<RunFold, Integer> samples) implements Serializable {
    }

    /** What a per-shard task returns: its rows (scored or rejected) and one line per model it fitted. */
    record ShardOutput(int partition, String shardId, List<ScoredRow> rows, List<String> log)
            implements Serializable {
    }

    /**
     * {@code fitMode = per-shard}: each input partition (shard) reads its rows once into memory and, for every run
     * and every fold k present in the shard, fits a model on the shard's rows of that run outside fold k (bounded
     * by {@code maxTokensPerModel}, subsampled by stable hashes as in global mode) and scores the shard's rows in
     * fold k with it. A planning pass first checks on the driver that every such model has at least 2 samples to
     * train on. Results depend on the partitioning (deterministic for a given one).
     */
    @Override
    public JavaRDD<ShardScoredRow> fitAndScore(Dataset<Row> features, RowValidator validator, Settings settings,
            Progress progress) {
        if (!options.storeMode().equals("none")) {
            throw new IllegalArgumentException("fitMode per-shard does not use a model store");
        }
        int folds = settings.folds();
        long seed = settings.seed();
        features.sparkSession().sparkContext().setJobDescription("infometer: flow per-shard plan (samples per "
                + "shard, run and fold)");
        List<ShardPlan> plans = ShardPass.map(features, validator, p -> planPass(p, folds, seed)).collect();
        checkPlans(plans);
        long models = plans.stream().mapToLong(p -> p.samples().size()).sum();
        progress.info(String.format(Locale.ROOT, "per-shard fit: %d shards with valid samples, %d models",
                plans.stream().filter(p -> !p.samples().isEmpty()).count(), models));

        FlowGranularity g = granularity;
        FlowJobOptions opts = options;
        features.sparkSession().sparkContext().setJobDescription("infometer: flow per-shard fit and score ("
                + models + " models, one shard per task)");
        JavaRDD<ShardOutput> outputs = ShardPass.map(features, validator, p -> shardPass(p, folds, seed, g, opts))
                .persist(StorageLevel.MEMORY_AND_DISK());
        // The fits run here; their rows stay on the executors, only the log lines come back.
        List<Tuple2<Integer, List<String>>> logs = new ArrayList<>(outputs.map(o -> new Tuple2<>(o.partition(),
                o.log())).collect());
        logs.sort(Comparator.comparing(Tuple2::_1));
        logs.forEach(l -> l._2().forEach(progress::info));
        return outputs.flatMap(o -> o.rows().stream().map(r -> new ShardScoredRow(o.shardId(), o.partition(), r))
                .iterator());
    }

    /** Fails, naming the run and shard, when a model of some shard would have fewer than 2 training samples. */
    static void checkPlans(List<ShardPlan> plans) {
        boolean any = false;
        for (ShardPlan plan : plans.stream().sorted(Comparator.comparingInt(ShardPlan::partition)).toList()) {
            Map<String, Integer> byRun = new TreeMap<>();
            plan.samples().forEach((k, n) -> byRun.merge(k.runId(), n, Integer::sum));
            for (Map.Entry<RunFold, Integer> e : new TreeMap<>(plan.samples()).entrySet()) {
                any = true;
                int train = byRun.get(e.getKey().runId()) - e.getValue();
                if (train < 2) {
                    throw new IllegalArgumentException(tooSmall(e.getKey(), plan.shardId(), plan.partition(),
                            train));
                }
            }
        }
        if (!any) {
            throw new IllegalArgumentException("No valid samples to fit the flow estimator on");
        }
    }

    private static String tooSmall(RunFold key, String shardId, int partition, int train) {
        return "fitMode per-shard: run " + key.runId() + " in shard " + shardId + " (input partition " + partition
                + ") has " + train + " valid sample(s) outside fold " + key.fold() + "; a shard's model needs at "
                + "least 2. Use fewer input partitions (input.repartition) or fitMode global";
    }

    /** The planning pass of one partition: its valid samples per (run, fold), one {@link ShardPlan}. */
    private static ShardPass.Pass<ShardPlan> planPass(int partition, int folds, long seed) {
        return new ShardPass.Pass<>() {
            private final Map<RunFold, Integer> samples = new TreeMap<>();
            private final List<String> tokens = new ArrayList<>();

            @Override
            public boolean needsMaps(DecodedSample ids) {
                return false;
            }

            @Override
            public void valid(DecodedSample s, InternalRow row, Consumer<ShardPlan> out) {
                tokens.add(s.sampleToken());
                samples.merge(new RunFold(s.runId(), StableHash.fold(s.sampleToken(), folds, seed)), 1,
                        Integer::sum);
            }

            @Override
            public void end(Consumer<ShardPlan> out) {
                out.accept(new ShardPlan(partition, shardId(tokens, seed), samples));
            }
        };
    }

    /** Stable id of a shard: a hash of its sorted valid sample tokens (not of the partition index or attempt). */
    static String shardId(List<String> sampleTokens, long seed) {
        List<String> sorted = new ArrayList<>(sampleTokens);
        sorted.sort(null);
        return String.format(Locale.ROOT, "%016x", StableHash.of(String.join("\n", sorted), seed ^ 0x7368617264L));
    }

    /** The per-shard pass of one partition: reads the shard, then {@link #shardTask} at its end. */
    private static ShardPass.Pass<ShardOutput> shardPass(int partition, int folds, long seed, FlowGranularity g,
            FlowJobOptions opts) {
        return new ShardPass.Pass<>() {
            private final List<ScoredRow> out = new ArrayList<>();
            private final List<ShardRow> valid = new ArrayList<>();

            @Override
            public void valid(DecodedSample s, InternalRow row, Consumer<ShardOutput> emit) {
                valid.add(new ShardRow(Scored.of(s, -1, null), StableHash.fold(s.sampleToken(), folds, seed),
                        s.tokens(), s.xChannels(), s.yChannels(), s.x(), s.y()));
            }

            @Override
            public void rejected(RejectedRow r, Consumer<ShardOutput> emit) {
                out.add(Scored.rejected(r));
            }

            @Override
            public void end(Consumer<ShardOutput> emit) {
                emit.accept(shardTask(partition, out, valid, seed, g, opts));
            }
        };
    }

    /** Fits and scores one (run, fold) model at a time over one shard's rows. */
    private static ShardOutput shardTask(int partition, List<ScoredRow> out, List<ShardRow> valid, long seed,
            FlowGranularity g, FlowJobOptions opts) {
        valid.sort(Comparator.comparing(ShardRow::sample).thenComparing(ShardRow::run));
        String shardId = shardId(valid.stream().map(ShardRow::sample).toList(), seed);
        long shardHash = Long.parseUnsignedLong(shardId, 16);
        Map<String, List<ShardRow>> byRun = new TreeMap<>();
        valid.forEach(r -> byRun.computeIfAbsent(r.run(), k -> new ArrayList<>()).add(r));
        List<String> log = new ArrayList<>();
        FlowConfig config = opts.config();
        String device = taskDevice(config.device());
        FlowConfig taskConfig = config.toBuilder().device(device).build();
        for (Map.Entry<String, List<ShardRow>> e : byRun.entrySet()) {
            String run = e.getKey();
            List<ShardRow> rows = e.getValue();
            for (int k : rows.stream().map(ShardRow::fold).distinct().sorted().toList()) {
                int fold = k;
                List<ShardRow> train = rows.stream().filter(r -> r.fold() != fold).toList();
                if (train.size() < 2) {
                    throw new IllegalArgumentException(tooSmall(new RunFold(run, fold), shardId, partition,
                            train.size()));
                }
                long trainTokens = train.stream().mapToLong(ShardRow::tokens).sum();
                double rate = Math.min(1.0, opts.maxTokensPerModel() / (double) trainTokens);
                List<PairSample> kept = new ArrayList<>();
                for (ShardRow r : train) {
                    TrainRow t = subsample(r.sample(), StableHash.of(r.sample(), seed ^ 0x5375627361L), r.x(), r.y(),
                            r.tokens(), r.channelsX(), r.channelsY(), rate, g);
                    if (t != null) {
                        kept.add(new PairSample(t.x(), t.y(), t.tokens()));
                    }
                }
                long seedKey = StableHash.combine(seed, StableHash.of(run, seed), fold, shardHash, 0x666c6f77L);
                String prefix = "shard " + shardId + " run " + run + " fold " + fold;
                FlowProgressListener listener = (flow, epoch, tr, held) -> EPOCH_LOG.debug(String.format(
                        Locale.ROOT, "[flow %s] %s epoch %d: train %.4f, held-out %.4f bits/token", prefix, flow,
                        epoch, tr, held));
                long start = System.nanoTime();
                ShardRow first = rows.get(0);
                int scored = 0;
                try (FlowPairModel model = FlowTrainer.fit(kept.iterator(), first.channelsX(), first.channelsY(),
                        taskConfig, seedKey, listener)) {
                    for (ShardRow r : rows) {
                        if (r.fold() == fold) {
                            out.add(r.id().withScore(fold, r.tokens(), model.score(r.x(), r.y(), r.tokens())));
                            scored++;
                        }
                    }
                    log.add(String.format(Locale.ROOT, "flow model shard %s (partition %d) run %s fold %d: %,d "
                                    + "train samples (%,d tokens buffered), %d scored, %.1f s on %s, held-out MI "
                                    + "%.4f bits/token", shardId, partition, run, fold, train.size(),
                            model.summary().tokensBuffered(), scored, (System.nanoTime() - start) / 1e9, device,
                            model.summary().heldOutMiBitsPerToken()));
                }
            }
        }
        return new ShardOutput(partition, shardId, out, log);
    }

    // ---------------------------------------------------------------- device

    /**
     * The device a task uses: an explicit {@code cpu}/{@code gpu}/{@code gpu:N} as given; for {@code auto}, the
     * first GPU address Spark assigned to the task when DJL sees a GPU, else the CPU. Outside a task, the request.
     */
    static String taskDevice(String requested) {
        if (!"auto".equalsIgnoreCase(requested)) {
            return requested;
        }
        TaskContext tc = TaskContext.get();
        if (tc == null) {
            return requested;
        }
        ResourceInformation gpu = tc.resourcesJMap().get("gpu");
        return FlowDevices.forGpuAddresses(gpu == null ? null : gpu.addresses());
    }

    /** Opens the wrapped model on the device of the task that opens it. */
    static final class TaskDeviceHandle implements PairModelHandle {
        private static final long serialVersionUID = 1L;
        private final FlowModelHandle handle;
        private final String device;

        TaskDeviceHandle(FlowModelHandle handle, String device) {
            this.handle = handle;
            this.device = device;
        }

        @Override
        public FittedPairModel open() {
            return handle.withDevice(taskDevice(device)).open();
        }
    }

    // ---------------------------------------------------------------- store

    static Path modelDir(Path root, RunFold key) {
        return root.resolve("run=" + URLEncoder.encode(key.runId(), StandardCharsets.UTF_8))
                .resolve(String.format(Locale.ROOT, "fold=%02d", key.fold()));
    }

    private void writeManifest(Path root, Settings settings, List<Map<String, Object>> models) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("formatVersion", 1);
        m.put("estimator", name());
        m.put("fitMode", options.fitMode());
        m.put("folds", settings.folds());
        m.put("seed", Long.toString(settings.seed()));
        m.put("maxTokensPerModel", options.maxTokensPerModel());
        m.put("config", options.config());
        m.put("models", models);
        Files.writeString(root.resolve(STORE_MANIFEST), FlowModelStore.toJson(m), StandardCharsets.UTF_8);
    }

    private Fitted load(Iterable<RunFold> keys, RowValidator validator, Settings settings, Progress progress) {
        Path root = Paths.get(options.modelStore());
        Path manifest = root.resolve(STORE_MANIFEST);
        Map<?, ?> m;
        try {
            m = FlowModelStore.JSON.readValue(Files.readString(manifest, StandardCharsets.UTF_8), Map.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("storeMode load: no flow model store at " + root + " ("
                    + STORE_MANIFEST + " cannot be read: " + e.getMessage() + "); run with storeMode save first", e);
        }
        int folds = ((Number) m.get("folds")).intValue();
        long seed = Long.parseLong(String.valueOf(m.get("seed")));
        if (folds != settings.folds() || seed != settings.seed()) {
            throw new IllegalArgumentException("storeMode load: the models at " + root + " were fitted with folds="
                    + folds + ", seed=" + seed + " but this job uses folds=" + settings.folds() + ", seed="
                    + settings.seed() + "; out-of-fold scoring needs the same fold assignment");
        }
        if (!name().equals(m.get("estimator"))) {
            throw new IllegalArgumentException("storeMode load: the models at " + root + " are " + m.get("estimator")
                    + " but this job asks for " + name());
        }
        Map<RunFold, PairModelHandle> handles = new TreeMap<>();
        for (RunFold key : keys) {
            Path dir = modelDir(root, key);
            if (!Files.isRegularFile(dir.resolve(FlowModelStore.METADATA_FILE))) {
                throw new IllegalArgumentException("storeMode load: no stored flow model for run " + key.runId()
                        + ", fold " + key.fold() + " (expected " + dir + ")");
            }
            handles.put(key, new TaskDeviceHandle(FlowModelHandle.embedded(dir, fingerprint(validator,
                    key.runId())), options.config().device()));
        }
        progress.info("loaded " + handles.size() + " flow models from " + root.toAbsolutePath() + " (no refit)");
        return new Fitted(handles, Map.of());
    }

    private static void writeFiles(Path dir, Map<String, byte[]> files) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> old = Files.list(dir)) {
            for (Path p : (Iterable<Path>) old::iterator) {
                if (Files.isRegularFile(p)) {
                    Files.delete(p);
                }
            }
        }
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue());
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a leftover temporary directory does not affect results
        }
    }
}
