package org.infometer.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.infometer.estimate.Blas;
import org.infometer.config.JobConfig;
import org.infometer.progress.Progress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The JSON summary of a run, at {@code <summaryDir>/<job>/<run_date>/summary.json}, for success and failure. */
public final class SummaryJson {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SummaryJson() {
    }

    public static Path path(JobConfig cfg) {
        return Path.of(cfg.output().summaryDir(), cfg.name(), cfg.runDate(), "summary.json").toAbsolutePath();
    }

    public static ObjectNode header(JobConfig cfg, String status, double seconds) {
        ObjectNode root = JSON.createObjectNode();
        root.put("job", cfg.name());
        root.put("run_date", cfg.runDate());
        root.put("status", status);
        root.put("tool_version", ToolVersion.get());
        putSteps(root);
        root.put("profile", System.getProperty("infometer.profile", "embedded"));
        root.put("blas", Blas.describe());
        root.put("written_at", Instant.now().toString());
        root.put("elapsed_seconds", seconds);
        PeakMemory.snapshot().putJson(root);
        try {
            ObjectNode meta = SubmissionMeta.of(cfg.name(), cfg.runDate(), JSON.readTree(cfg.toJson()));
            root.set("config", meta.get("config"));
            root.set("config_sha256", meta.get("config_sha256"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return root;
    }

    public static Path writeFailure(JobConfig cfg, Throwable error, double seconds) {
        ObjectNode root = header(cfg, "failed", seconds);
        root.put("error", String.valueOf(error.getMessage()));
        root.put("error_type", error.getClass().getName());
        root.put("exit_code", org.infometer.failure.ExitCode.of(error).code());
        List<String> changed = org.infometer.io.IcebergTables.changedTables(error);
        root.put("tables_changed", !changed.isEmpty());
        changed.forEach(root.putArray("tables_with_new_rows")::add);
        return write(cfg, root);
    }

    /**
     * The summary of a run that wrote its tables. {@code status} is "succeeded" or "succeeded_with_warnings" (some
     * row not ok); {@code validity} counts ok, unreliable and failed rows, and every run and top scene carries its
     * own {@code status} and {@code status_reason}.
     */
    public static Path writeSuccess(JobConfig cfg, String status, long inputRows, long scored,
                                    long quarantined, Map<String, Long> quarantinedByReason,
                                    List<Reductions.RunStats> runs,
                                    List<Reductions.SceneStats> scenes, Map<String, Double> truth,
                                    Map<String, Double> sceneTruth, Map<String, ShardEstimates.Combined> shards,
                                    Map<String, Validity.Verdict> runValidity,
                                    Map<String, Validity.Verdict> sceneValidity, double seconds) {
        ObjectNode root = header(cfg, status, seconds);
        List<Validity.Verdict> all = new java.util.ArrayList<>(runValidity.values());
        all.addAll(sceneValidity.values());
        ObjectNode counts = root.putObject("validity");
        ObjectNode runCounts = counts.putObject("run_mi");
        Validity.counts(List.copyOf(runValidity.values())).forEach(runCounts::put);
        ObjectNode sceneCounts = counts.putObject("scene_mi");
        Validity.counts(List.copyOf(sceneValidity.values())).forEach(sceneCounts::put);
        Validity.counts(all).forEach((k, v) -> root.put(k + "_rows", v));
        root.put("input_rows", inputRows);
        root.put("scored_samples", scored);
        root.put("quarantined_rows", quarantined);
        root.set("quarantined_by_reason", JSON.valueToTree(new TreeMap<>(quarantinedByReason)));
        ObjectNode tables = root.putObject("tables");
        for (String t : List.of("run_mi", "scene_mi", "sample_mi", "quarantine")) {
            tables.put(t, cfg.table(t));
        }
        ArrayNode runArray = root.putArray("runs");
        for (Reductions.RunStats r : runs) {
            ObjectNode o = runArray.addObject();
            o.put("run_id", r.runId());
            o.put("n_samples", r.samples());
            o.put("n_tokens", r.tokens());
            o.put("n_scenes", r.scenes());
            putVerdict(o, runValidity.get(r.runId()));
            ObjectNode perToken = o.putObject("bits_per_token");
            r.perToken().forEach((q, e) -> {
                ObjectNode v = perToken.putObject(q);
                putNullable(v, "value", e.value());
                putNullable(v, "se", e.se());
            });
            ObjectNode perSample = o.putObject("bits_per_sample");
            r.perSample().forEach((q, e) -> {
                ObjectNode v = perSample.putObject(q);
                putNullable(v, "value", e.value());
                putNullable(v, "se", e.se());
            });
            o.put("mi_ci95_low_bits_per_token", r.ci95Low());
            o.put("mi_ci95_high_bits_per_token", r.ci95High());
            if (truth.containsKey(r.runId())) {
                // the run estimand: MI of the run's pooled (scene-mixture) token distribution
                o.put("true_pooled_mi_bits_per_token", truth.get(r.runId()));
            }
            ShardEstimates.Combined c = shards.get(r.runId());
            if (c != null) {
                ObjectNode so = o.putObject("per_shard_mi_bits_per_token");
                so.put("combined_value", c.miPerToken());
                so.put("combined_se", c.se());
                ArrayNode sa = so.putArray("shards");
                for (ShardEstimates.Shard e : c.shards()) {
                    ObjectNode x = sa.addObject();
                    x.put("shard_id", e.shardId());
                    x.put("partition", e.partition());
                    x.put("n_samples", e.samples());
                    x.put("n_tokens", e.tokens());
                    x.put("value", e.miPerToken());
                    x.put("se", e.se());
                }
            }
            ArrayNode top = o.putArray("top_scenes");
            scenes.stream().filter(s -> s.runId().equals(r.runId()) && s.rank() <= 5).forEach(s -> {
                ObjectNode so = top.addObject();
                so.put("rank", s.rank());
                so.put("scene_token", s.sceneToken());
                so.put("mi_bits_per_token", s.miPerToken().value());
                so.put("n_samples", s.samples());
                Double st = sceneTruth.get(s.runId() + "\u0000" + s.sceneToken());
                if (st != null) {
                    so.put("true_mi_bits_per_token", st);
                }
                putVerdict(so, sceneValidity.get(s.runId() + "\u0000" + s.sceneToken()));
            });
            ArrayNode notOk = o.putArray("scenes_not_ok");
            scenes.stream().filter(s -> s.runId().equals(r.runId())).forEach(s -> {
                Validity.Verdict v = sceneValidity.get(s.runId() + "\u0000" + s.sceneToken());
                if (v != null && !v.ok()) {
                    ObjectNode so = notOk.addObject();
                    so.put("scene_token", s.sceneToken());
                    putVerdict(so, v);
                }
            });
        }
        return write(cfg, root);
    }

    /** {@code step_seconds}: the seconds of each step of this process's latest {@link Progress}, in run order. */
    static void putSteps(ObjectNode root) {
        ObjectNode steps = root.putObject("step_seconds");
        Progress p = Progress.latest();
        if (p != null) {
            p.stepSecondsSoFar().forEach(steps::put);
        }
    }

    /** Adds {@code status} and {@code status_reason} (null when ok) to a row's node. */
    public static void putVerdict(ObjectNode o, Validity.Verdict v) {
        Validity.Verdict verdict = v == null ? Validity.Verdict.OK : v;
        o.put("status", verdict.status().label());
        o.put("status_reason", verdict.reason());
    }

    public static Path write(JobConfig cfg, ObjectNode root) {
        Path p = path(cfg);
        try {
            Files.createDirectories(p.getParent());
            Path tmp = p.resolveSibling("summary.json.tmp");
            JSON.writeValue(tmp.toFile(), root);
            Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write summary " + p, e);
        }
        return p;
    }

    /** NaN as JSON null: the variational estimators give no entropies, and NaN is not JSON. */
    private static void putNullable(ObjectNode o, String key, double v) {
        if (Double.isNaN(v)) {
            o.putNull(key);
        } else {
            o.put(key, v);
        }
    }
}
