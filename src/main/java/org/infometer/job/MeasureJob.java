package org.infometer.job;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.config.JobConfig;
import org.infometer.estimate.Blas;
import org.infometer.estimate.CrossFitEstimator;
import org.infometer.estimate.JointMoments;
import org.infometer.estimate.MomentRow;
import org.infometer.estimate.SampleMoments;
import org.infometer.estimate.PairModelHandle;
import org.infometer.estimate.RunFold;
import org.infometer.estimate.SceneProjector;
import org.infometer.estimate.ScoredRow;
import org.infometer.estimate.ShardFitting;
import org.infometer.spark.ShardRunner;
import org.infometer.estimate.ShardScoredRow;
import org.infometer.estimate.gaussian.GaussianSceneProjector;
import org.infometer.estimate.registry.Estimators;
import org.infometer.history.HistoryTable;
import org.infometer.io.FeatureInput;
import org.infometer.io.IcebergTables;
import org.infometer.report.ConsoleReport;
import org.infometer.progress.Progress;
import org.infometer.report.Estimate;
import org.infometer.report.LossOfPrecision;
import org.infometer.report.LossOfPrecisionReport;
import org.infometer.report.MeasureResult;
import org.infometer.report.Reductions;
import org.infometer.report.RunReduction;
import org.infometer.report.SampleResult;
import org.infometer.report.ShardEstimates;
import org.infometer.report.SummaryJson;
import org.infometer.report.Validity;
import org.infometer.schema.ChannelRanges;
import org.infometer.schema.FeatureContract;
import org.infometer.schema.InputException;
import org.infometer.schema.RowValidator;
import org.infometer.schema.TableContract;
import org.infometer.spark.CachedFeatures;
import org.infometer.spark.SampleMomentsPass;
import org.infometer.spark.ScoredSamples;

import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Date;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;

/**
 * The measurement job: validate, fit (cross-fitted), apply, reduce, write tables. An estimator that is a
 * {@link ShardFitting} with {@code perShard()} fits and scores inside each input partition instead of fit + apply;
 * its shard estimates are combined on the driver and reported beside the usual tables.
 *
 * <p>Usage: {@code MeasureJob.run(spark, config, System.out)}. Everything is computed before any table is
 * touched: a run that fails (bad input, too many rejected rows, a fit that cannot be done) leaves every table as
 * it was and writes a summary with status {@code failed}.
 */
public final class MeasureJob {

    private MeasureJob() {
    }

    public static CrossFitEstimator estimator(JobConfig cfg) {
        return Estimators.create(cfg.estimator().name(), cfg.estimator().granularity(), cfg.estimator().options());
    }

    public static MeasureResult run(SparkSession spark, JobConfig cfg, PrintStream console) {
        return run(spark, cfg, console, Progress.stderr());
    }

    public static MeasureResult run(SparkSession spark, JobConfig cfg, PrintStream console, Progress progress) {
        FeatureContract contract = new FeatureContract(cfg.pair().x(), cfg.pair().y());
        IcebergTables.register(spark, cfg.output().catalog(), cfg.output().warehouse());
        try {
            WarehouseProbe.check(spark, cfg.output().catalog(), "output.warehouse");
            // Then the cluster checks (executors see the warehouse), an interrupted publish completed, and the
            // existing tables' schemas, all before any work.
            IcebergTables.configure(spark, cfg.output().catalog(), cfg.output().warehouse());
            IcebergTables.checkSchemas(spark, cfg.output().catalog(), cfg.output().namespace(),
                    List.of("quarantine", "sample_mi", "scene_mi", "run_mi", "channel_mi", HistoryTable.TABLE));
            return execute(spark, cfg, console, progress, contract);
        } catch (Exception e) {
            // Exception, not RuntimeException: Spark throws its checked SparkException (e.g. a file that cannot be
            // read mid-scan) undeclared, and such a run must leave a failure summary too. Rethrown as it is.
            Path summary = SummaryJson.writeFailure(cfg, e, progress.elapsedSeconds());
            progress.finish();
            console.println("Run FAILED: " + e.getMessage());
            console.println(IcebergTables.changeReport(e) + " Summary: " + summary);
            throw e;
        }
    }

    private static MeasureResult execute(SparkSession spark, JobConfig cfg, PrintStream console, Progress progress,
                                         FeatureContract contract) {
        CrossFitEstimator estimator = estimator(cfg);
        progress.info("BLAS: " + Blas.describe());
        progress.step("Checking input " + cfg.input().features());
        Dataset<Row> features = FeatureInput.open(spark, cfg.input().features(), contract, cfg.input().repartition());
        KeySummary keys = KeyScan.summarize(features, contract);
        KeyScan.Result scan = KeyScan.scan(features, keys, contract, cfg.input().features());
        Map<String, String> unfittable = KeyScan.unfittableRuns(keys, scan.validator(), cfg.estimator().folds(),
                cfg.estimator().seed());
        progress.info(String.format("%,d rows in %d runs; %d duplicated keys", scan.rows(), scan.tokensByRun().size(),
                scan.duplicateKeys()));
        ChannelRanges ranges = new ChannelRanges();
        spark.sparkContext().register(ranges, "infometer: channel ranges");
        RowValidator validator = scan.validator().forMeasurement().recording(ranges).excludingRuns(unfittable);

        // A moment-scoring estimator keeps each sample's moments from its fit pass and scores those: the feature
        // maps are read once, and are not kept.
        CrossFitEstimator.MomentStore momentStore = momentStore(spark, cfg, estimator, scan, progress);
        CrossFitEstimator.Settings settings = new CrossFitEstimator.Settings(cfg.estimator().folds(),
                cfg.estimator().seed(), cfg.estimator().granularity(), cfg.estimator().options(), momentStore);
        JavaRDD<ScoredRow> scoredRows;
        Map<String, Map<String, Double>> diagnostics;
        String undescribed = "map".equals(cfg.estimator().granularity())
                ? "map granularity: a scene's samples are too few observations" : null;
        Map<String, ShardEstimates.Combined> shardEstimates = Map.of();
        Map<RunFold, JointMoments> moments = null;
        List<Broadcast<?>> broadcasts = new ArrayList<>();
        // Passes after the first read the feature rows from memory where they fit (input.cache, default on).
        CachedFeatures cache = null;
        if (cfg.input().keepInMemory() && momentStore == CrossFitEstimator.MomentStore.NONE) {
            CachedFeatures.Decision keep = CachedFeatures.decide(spark.sparkContext(), scan.mapBytes());
            if (keep.keep()) {
                cache = CachedFeatures.keep(features);
            } else {
                progress.info("feature rows not kept in memory (" + keep.reason() + "): both passes read the input");
            }
        }
        ScoredSamples scored;
        ScoredSamples.Counts counts;
        JavaRDD<MomentRow> keptMoments = null;
        try {
            if (estimator instanceof ShardFitting sf && sf.perShard()) {
                progress.step("Fitting " + estimator.name() + " models per input partition and scoring out of fold ("
                        + settings.folds() + "-fold cross-fitting)");
                JavaRDD<ShardScoredRow> shardRows = sf.fitAndScore(features, validator, settings, progress);
                scoredRows = shardRows.map(ShardScoredRow::row);
                // Each shard's estimate is computed where its rows are (in the order it scored them).
                shardEstimates = ShardEstimates.combineShards(shardRows.mapPartitions(rows -> {
                    List<ShardScoredRow> list = new ArrayList<>();
                    rows.forEachRemaining(list::add);
                    return ShardEstimates.perShard(list).iterator();
                }).collect());
                shardEstimates.values().forEach(c -> {
                    c.shards().forEach(e -> progress.info(String.format(Locale.ROOT,
                            "run %s shard %s (partition %d): %d samples, MI %.4f ± %.4f bits/token", c.runId(),
                            e.shardId(), e.partition(), e.samples(), e.miPerToken(), e.se())));
                    progress.info(String.format(Locale.ROOT, "run %s combined over %d shards (inverse-variance "
                            + "weighted): MI %.4f ± %.4f bits/token", c.runId(), c.shards().size(), c.miPerToken(),
                            c.se()));
                });
                diagnostics = Map.of();
                undescribed = "per-shard fitting gives no scene coordinates";
                if (cfg.channelMi().enabled()) {
                    moments = momentsPass(features, validator, settings, progress, "channel MI");
                }
            } else {
                progress.step("Fitting " + estimator.name() + " models (" + settings.folds() + "-fold cross-fitting)");
                // The apply pass sees every valid row and records the channel ranges; earlier passes need not, unless
                // the apply pass scores kept moments and sees no row.
                RowValidator fitValidator = validator.notRecording();
                CrossFitEstimator.Fitted fitted = estimator.fit(features,
                        momentStore == CrossFitEstimator.MomentStore.NONE ? fitValidator : validator, settings,
                        progress);
                keptMoments = fitted.samples();
                moments = fitted.moments();
                boolean sceneMoments = !"map".equals(cfg.estimator().granularity()) && fitted.sceneProjectors() == null;
                if (moments == null && (sceneMoments || cfg.channelMi().enabled())) {
                    moments = momentsPass(features, fitValidator, settings, progress,
                            sceneMoments ? "scene-level refits" : "channel MI");
                }

                progress.step("Scoring samples out of fold");
                spark.sparkContext().setJobDescription("infometer: apply pass (out-of-fold codelengths)");
                Map<RunFold, PairModelHandle> handles = new TreeMap<>(fitted.models());
                Broadcast<Map<RunFold, PairModelHandle>> models = spark.sparkContext()
                        .broadcast(handles, scala.reflect.ClassTag$.MODULE$.apply(Map.class));
                Map<String, SceneProjector> projectors = sceneProjectors(fitted, moments, cfg);
                Broadcast<Map<String, SceneProjector>> scenesB = spark.sparkContext()
                        .broadcast(projectors, scala.reflect.ClassTag$.MODULE$.apply(Map.class));
                broadcasts.add(models);
                broadcasts.add(scenesB);
                scoredRows = keptMoments != null
                        ? SampleMomentsPass.apply(keptMoments, settings.folds(), settings.seed(), models, scenesB)
                        : ShardRunner.apply(features, validator, settings.folds(), settings.seed(), models, scenesB);
                diagnostics = fitted.diagnosticsByRun();
            }
            scored = ScoredSamples.persist(scoredRows);
            // The first action on the scored rows runs the apply pass and keeps its rows on the executors.
            counts = scored.counts();
            if (cache != null) {
                CachedFeatures.Held held = cache.held();
                progress.info(String.format(Locale.ROOT, "feature rows kept in memory between the passes: %d of %d "
                        + "partitions (%,d MiB)%s", held.partitionsKept(), held.partitions(), held.memoryBytes() >> 20,
                        held.partitionsKept() < held.partitions() ? "; the others did not fit and were read again"
                                : ""));
            }
        } finally {
            if (cache != null) {
                cache.close();
            }
            if (keptMoments != null) {
                // The scored rows are persisted and counted: nothing reads the moments again.
                keptMoments.unpersist(false);
            }
        }

        progress.step("Reducing");
        checkRejectedFraction(cfg, counts, scored);
        Set<String> scoredRuns = counts.validByRun().keySet();
        Map<String, int[]> channelCounts = new TreeMap<>();
        Map<String, List<String>> constant = new TreeMap<>();
        for (String run : scoredRuns) {
            channelCounts.put(run, validator.channels(run));
            constant.put(run, ranges.constantChannels(run, contract.x(), contract.y()));
        }
        boolean tokenGranularity = !"map".equals(cfg.estimator().granularity());
        Map<String, Map<String, Double>> diagnosticsCopy = new TreeMap<>();
        diagnostics.forEach((k, v) -> diagnosticsCopy.put(k, new TreeMap<>(v)));
        RunReduction.Params params = new RunReduction.Params(cfg.estimator().folds(), tokenGranularity, undescribed,
                channelCounts, constant, diagnosticsCopy);
        spark.sparkContext().setJobDescription("infometer: run and scene reductions (mergeable states)");
        Map<String, RunReduction.Outcome> outcomes = ScoredRunStates.reduce(scored, MeasureJob::sample, params);
        List<Reductions.RunStats> runs = new ArrayList<>();
        List<Reductions.SceneStats> scenes = new ArrayList<>();
        Map<String, Validity.Verdict> runValidity = new TreeMap<>();
        Map<String, Validity.Verdict> sceneValidity = new TreeMap<>();
        Map<String, Integer> foldsByRun = new TreeMap<>();
        outcomes.forEach((run, o) -> {
            runs.add(o.run());
            scenes.addAll(o.scenes());
            runValidity.put(run, o.runVerdict());
            sceneValidity.putAll(o.sceneVerdicts());
            foldsByRun.put(run, o.foldsUsed());
        });
        Map<String, Double> truth = cfg.groundTruth() == null ? Map.of()
                : GroundTruth.trueMiBitsPerToken(spark, cfg.groundTruth(), outcomes.keySet());
        Map<String, Double> sceneTruth = cfg.groundTruth() == null ? Map.of()
                : GroundTruth.perScene(spark, cfg.groundTruth());
        List<Validity.Verdict> all = new ArrayList<>(runValidity.values());
        all.addAll(sceneValidity.values());
        String status = Validity.jobStatus(all);
        Map<String, ChannelMiStep.RunChannels> channels = cfg.channelMi().enabled()
                ? ChannelMiStep.compute(moments, outcomes.keySet(), progress) : Map.of();

        progress.step("Writing tables to " + cfg.output().catalog() + "." + cfg.output().namespace());
        // Until the success summary replaces it, a driver killed while publishing leaves this one, not the last run's.
        SummaryJson.writeFailure(cfg, new IllegalStateException("the job stopped while writing its tables; they hold "
                + "the earlier rows or, once the next job on the warehouse completes the publish, the new ones"),
                progress.elapsedSeconds());
        writeTables(spark, cfg, contract, scored, counts, runs, scenes, diagnostics, runValidity, sceneValidity,
                foldsByRun, channels, channelCounts);
        // Kept (not destroyed) until now: a lost cached block of the scored rows is recomputed with them.
        broadcasts.forEach(Broadcast::unpersist);
        Path summary = SummaryJson.writeSuccess(cfg, status, counts.rows(), counts.scored(), counts.rejected(),
                counts.rejectedByReason(), runs, scenes, truth, sceneTruth, shardEstimates, runValidity,
                sceneValidity, progress.elapsedSeconds());
        progress.info(org.infometer.report.PeakMemory.snapshot().describe());
        progress.finish();
        MeasureResult result = new MeasureResult(status, counts.rows(), scored.validOnDemand(MeasureJob::sample),
                scored.rejectedOnDemand(), runs, scenes, truth, diagnostics, shardEstimates, summary, runValidity,
                sceneValidity, sceneTruth, counts.scored(), counts.rejected(), counts.rejectedByReason());
        ConsoleReport.print(console, cfg, result);
        LossOfPrecisionReport.print(console, runs, scenes, channelCounts, contract.x(), contract.y());
        ChannelMiStep.print(console, channels, contract.x(), contract.y(), cfg.table("channel_mi"));
        return result;
    }

    /**
     * Where the fit pass keeps the samples' moments: nowhere for estimators that score maps or when
     * {@code input.cache} is off (the apply pass then reads the input again, with the same results), in memory when
     * they fit in {@link CachedFeatures#decide}'s share of the executors' caching memory, else on local disk.
     */
    private static CrossFitEstimator.MomentStore momentStore(SparkSession spark, JobConfig cfg,
                                                             CrossFitEstimator estimator, KeyScan.Result scan,
                                                             Progress progress) {
        if (!estimator.scoresFromMoments() || !cfg.input().keepInMemory()) {
            return CrossFitEstimator.MomentStore.NONE;
        }
        int cx = 1;
        int cy = 1;
        for (String run : scan.tokensByRun().keySet()) {
            int[] ch = scan.validator().channels(run);
            if (ch != null) {
                cx = Math.max(cx, ch[0]);
                cy = Math.max(cy, ch[1]);
            }
        }
        CachedFeatures.Decision d = CachedFeatures.decide(spark.sparkContext(),
                scan.rows() * SampleMoments.bytes(cx, cy), "moments");
        progress.info("each sample's moments kept " + (d.keep() ? "in memory" : "on local disk") + " for the apply "
                + "pass (" + d.reason() + "): the feature maps are read once");
        return d.keep() ? CrossFitEstimator.MomentStore.MEMORY : CrossFitEstimator.MomentStore.DISK;
    }

    /**
     * The runs' scene coordinates: the estimator's own when it made them in its fit pass, else from the runs'
     * Gaussian moments (the learned estimator's extra pass). None at map granularity, where a scene has too few
     * observations (samples) for a refit.
     */
    private static Map<String, SceneProjector> sceneProjectors(CrossFitEstimator.Fitted fitted,
                                                               Map<RunFold, JointMoments> moments, JobConfig cfg) {
        if ("map".equals(cfg.estimator().granularity())) {
            return new TreeMap<>();
        }
        if (fitted.sceneProjectors() != null) {
            return new TreeMap<>(fitted.sceneProjectors());
        }
        Map<String, List<JointMoments>> byRun = new TreeMap<>();
        moments.forEach((k, v) -> byRun.computeIfAbsent(k.runId(), r -> new ArrayList<>()).add(v));
        Map<String, SceneProjector> out = new TreeMap<>();
        byRun.forEach((run, folds) -> {
            GaussianSceneProjector p = GaussianSceneProjector.fit(folds);
            if (p != null) {
                out.put(run, p);
            }
        });
        return out;
    }

    /** One pass for the per-(run, fold) token moments, for an estimator whose fit pass made none. */
    private static Map<RunFold, JointMoments> momentsPass(Dataset<Row> features, RowValidator validator,
                                                          CrossFitEstimator.Settings settings, Progress progress,
                                                          String purpose) {
        progress.info("one pass for the runs' Gaussian moments (" + purpose + ")");
        features.sparkSession().sparkContext().setJobDescription("infometer: Gaussian moments (" + purpose + ")");
        return ShardRunner.fitMoments(features, validator, settings.folds(), settings.seed());
    }

    private static void checkRejectedFraction(JobConfig cfg, ScoredSamples.Counts counts, ScoredSamples scored) {
        long total = counts.rows();
        double fraction = total == 0 ? 0 : (double) counts.rejected() / total;
        if (fraction > cfg.validation().maxRejectedFraction()) {
            ScoredRow first = scored.firstRejected();
            throw new InputException(String.format("%d of %d input rows (%.1f%%) failed validation, more than "
                            + "validation.maxRejectedFraction = %.1f%%; by reason: %s; first: file %s, sample %s: %s",
                    counts.rejected(), total, 100 * fraction, 100 * cfg.validation().maxRejectedFraction(),
                    counts.rejectedByReason(), first.sourceFile(), first.sampleToken(), first.rejection().reason()));
        }
    }

    /** A scored row as the reductions see it. */
    static SampleResult sample(ScoredRow s) {
        return new SampleResult(s.runId(), s.sceneToken(), s.sampleToken(), s.timestamp(), s.fold(), s.tokens(),
                s.bits().hxBits(), s.bits().hyBits(), s.bits().hxyBits(), s.block(),
                s.inFold() == null ? null : s.inFold().miBits(), s.bits().miBits());
    }

    /** Folds that hold at least one of the samples (at most the configured number; fewer for small runs). */
    static int foldsUsed(List<SampleResult> samples) {
        return RunReduction.foldsUsed(samples);
    }

    /** Key of a scene in the scene verdict maps. */
    public static String sceneKey(String runId, String sceneToken) {
        return RunReduction.sceneKey(runId, sceneToken);
    }

    private static void writeTables(SparkSession spark, JobConfig cfg, FeatureContract contract,
                                    ScoredSamples scored, ScoredSamples.Counts counts,
                                    List<Reductions.RunStats> runs, List<Reductions.SceneStats> scenes,
                                    Map<String, Map<String, Double>> diagnostics,
                                    Map<String, Validity.Verdict> runValidity,
                                    Map<String, Validity.Verdict> sceneValidity,
                                    Map<String, Integer> foldsByRun,
                                    Map<String, ChannelMiStep.RunChannels> channels,
                                    Map<String, int[]> channelCounts) {
        Date date = Date.valueOf(cfg.date());
        String job = cfg.name();
        String est = Estimators.spec(cfg.estimator().name()).label(cfg.estimator().granularity());
        String x = contract.x();
        String y = contract.y();
        Map<String, Long> quarantinedByRun = counts.quarantinedByRun();
        Map<String, Object> sampleConstants = new LinkedHashMap<>();
        sampleConstants.put("run_date", date);
        sampleConstants.put("job_name", job);
        sampleConstants.put("x_modality", x);
        sampleConstants.put("y_modality", y);
        sampleConstants.put("estimator", est);
        TableContract sceneTable = TableContract.load("scene_mi");
        List<Row> sc = new ArrayList<>();
        for (Reductions.SceneStats r : scenes) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("run_date", date);
            v.put("job_name", job);
            v.put("run_id", r.runId());
            v.put("scene_token", r.sceneToken());
            v.put("x_modality", x);
            v.put("y_modality", y);
            v.put("estimator", est);
            v.put("n_samples", r.samples());
            v.put("n_tokens", r.tokens());
            v.put("mi_bits_per_sample", r.miPerSample().value());
            v.put("mi_se_bits_per_sample", nanToNull(r.miPerSample().se()));
            v.put("mi_bits_per_token", r.miPerToken().value());
            v.put("mi_se_bits_per_token", nanToNull(r.miPerToken().se()));
            v.put("hx_bits_per_token", nanToNull(r.hxPerToken()));
            v.put("hy_bits_per_token", nanToNull(r.hyPerToken()));
            v.put("hxy_bits_per_token", nanToNull(r.hxyPerToken()));
            v.put("redundancy_rank", r.rank());
            v.put("redundancy_percentile", r.percentile());
            v.put("mi_run_model_bits_per_token", r.pooledMiPerToken().value());
            v.put("scene_refit_pairs", r.refitted() ? r.refitPairs() : 0);
            Validity.Verdict verdict = sceneValidity.get(sceneKey(r.runId(), r.sceneToken()));
            v.put("status", verdict.status().label());
            v.put("status_reason", verdict.reason());
            for (String qn : List.of("hx_given_y", "hy_given_x")) {
                Estimate e = LossOfPrecision.scenePerToken(r, qn);
                v.put(qn + "_bits_per_token", nanToNull(e.value()));
                v.put(qn + "_se_bits_per_token", nanToNull(e.se()));
            }
            putShares(v, r.miPerToken(), channelCounts.get(r.runId()));
            sc.add(sceneTable.row(v));
        }
        TableContract runTable = TableContract.load("run_mi");
        List<Row> rr = new ArrayList<>();
        for (Reductions.RunStats r : runs) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("run_date", date);
            v.put("job_name", job);
            v.put("run_id", r.runId());
            v.put("x_modality", x);
            v.put("y_modality", y);
            v.put("estimator", est);
            v.put("folds", foldsByRun.get(r.runId()));
            v.put("n_samples", r.samples());
            v.put("n_tokens", r.tokens());
            v.put("n_scenes", r.scenes());
            v.put("n_quarantined", quarantinedByRun.getOrDefault(r.runId(), 0L));
            for (String qn : Reductions.QUANTITIES) {
                // NaN only where the estimator gives no entropies (the variational bounds): NULL, never 0 or NaN.
                v.put(qn + "_bits_per_sample", nanToNull(r.perSample().get(qn).value()));
                v.put(qn + "_se_bits_per_sample", nanToNull(r.perSample().get(qn).se()));
                v.put(qn + "_bits_per_token", nanToNull(r.perToken().get(qn).value()));
                v.put(qn + "_se_bits_per_token", nanToNull(r.perToken().get(qn).se()));
            }
            v.put("mi_ci95_low_bits_per_token", nanToNull(r.ci95Low()));
            v.put("mi_ci95_high_bits_per_token", nanToNull(r.ci95High()));
            // Every registered estimator's diagnostic columns exist in run_mi; this one fills its own.
            Estimators.diagnosticColumns().forEach(d -> v.put(d, null));
            v.putAll(diagnostics.getOrDefault(r.runId(), Map.of()));
            Validity.Verdict verdict = runValidity.get(r.runId());
            v.put("status", verdict.status().label());
            v.put("status_reason", verdict.reason());
            putShares(v, r.perToken().get("mi"), channelCounts.get(r.runId()));
            rr.add(runTable.row(v));
        }
        Map<String, IcebergTables.TableRows> tables = new LinkedHashMap<>();
        // The per-sample tables are written by the executors that hold the scored rows, the per-run and per-scene
        // ones (a few rows) by the driver.
        tables.put("quarantine", IcebergTables.TableRows.frame(scored.quarantineTable(spark,
                Map.of("run_date", date, "job_name", job)), counts.rejected()));
        tables.put("sample_mi", IcebergTables.TableRows.frame(scored.sampleTable(spark, sampleConstants),
                counts.scored()));
        tables.put("scene_mi", IcebergTables.TableRows.local(sc));
        tables.put("run_mi", IcebergTables.TableRows.local(rr));
        // Always published, empty when channelMi is off, so a rerun never leaves an earlier run's pairs behind.
        ChannelMiStep.Table channelTable = ChannelMiStep.table(spark, channels, date, job, x, y);
        tables.put("channel_mi", IcebergTables.TableRows.frame(channelTable.rows()));
        tables.put(HistoryTable.TABLE, IcebergTables.TableRows.local(HistoryTable.fromRunMi(rr)));
        String cat = cfg.output().catalog();
        String ns = cfg.output().namespace();
        spark.sparkContext().setJobDescription("infometer: writing tables");
        try {
            IcebergTables.publishRows(spark, cat, ns, tables, cfg.date(), job);
        } finally {
            if (channelTable.shared() != null) {
                channelTable.shared().destroy();
            }
        }
    }

    private static void putShares(Map<String, Object> v, Estimate mi, int[] channels) {
        LossOfPrecision.Shares s = channels == null ? new LossOfPrecision.Shares(Double.NaN, Double.NaN, Double.NaN,
                Double.NaN) : LossOfPrecision.shares(mi, channels[0], channels[1]);
        v.put("x_given_y_power_share", nanToNull(s.xGivenY()));
        v.put("x_given_y_power_share_se", nanToNull(s.xGivenYSe()));
        v.put("y_given_x_power_share", nanToNull(s.yGivenX()));
        v.put("y_given_x_power_share_se", nanToNull(s.yGivenXSe()));
    }

    static Double nanToNull(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
