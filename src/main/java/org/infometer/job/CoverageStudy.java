package org.infometer.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.SparkSession;
import org.infometer.config.JobConfig;
import org.infometer.io.SparkSessions;
import org.infometer.report.Estimate;
import org.infometer.progress.Progress;
import org.infometer.report.MeasureResult;
import org.infometer.report.Reductions;
import org.infometer.synth.GenerateConfig;
import org.infometer.synth.GenerateJob;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Coverage study (a benchmark, not a test): for each of N generator seeds at demo size, generate data with known
 * MI, run the measurement job, and count how often the nominal 95 % intervals contain the truth: run intervals
 * against the run's pooled (scene-mixture) MI, and, for contrast, against the mean of the scene MI (the quantity
 * the demo used to compare with); scene intervals (scene MI per token ± t(n-1) SE over the scene's samples)
 * against each scene's own MI. Also reports the mean error and mean SE at each level, and how many rows were not ok.
 *
 * <p>Usage: {@code ./submit.sh coverage [--seeds 20] [--first-seed 1] [--estimator gaussian|flow] [--dir DIR]}.
 */
public final class CoverageStudy {

    private CoverageStudy() {
    }

    /** Counts over all seeds. */
    static final class Tally {
        int runs;
        int runInsidePooled;
        int runInsideSceneMean;
        double runError;
        double runSe;
        int runNotOk;
        int scenes;
        int sceneInside;
        double sceneError;
        double sceneSe;
        int sceneNotOk;
        int sceneOkInside;
    }

    public static void run(List<String> args, PrintStream out) {
        int seeds = Main.intOption(args, "--seeds", 20);
        int first = Main.intOption(args, "--first-seed", 1);
        String estimator = Main.option(args, "--estimator", "gaussian");
        String dir = Main.option(args, "--dir", "coverage-data");
        SparkSession spark = SparkSessions.create("infometer-coverage");
        Tally t = new Tally();
        long start = System.nanoTime();
        for (int seed = first; seed < first + seeds; seed++) {
            String data = dir + "/seed-" + seed;
            GenerateConfig demo = GenerateConfig.demo(data);
            GenerateConfig g = new GenerateConfig(data, demo.runs(), demo.scenes(), demo.samplesPerScene(),
                    demo.tokens(), demo.channelsX(), demo.channelsY(), demo.latent(), seed, demo.partitions(),
                    demo.x(), demo.y());
            GenerateJob.run(spark, g, new Progress(new PrintStream(PrintStream.nullOutputStream())));
            PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
            MeasureResult r = MeasureJob.run(spark, config(dir, data, seed, estimator), quiet, new Progress(quiet));
            Map<String, Double> sceneTruth = GroundTruth.perScene(spark, data + "/ground_truth");
            for (Reductions.RunStats run : r.runs()) {
                double pooled = r.trueMiBitsPerTokenByRun().get(run.runId());
                double mean = r.scenes().stream().filter(s -> s.runId().equals(run.runId()))
                        .mapToDouble(s -> sceneTruth.get(run.runId() + "\u0000" + s.sceneToken())).average()
                        .orElseThrow();
                Estimate mi = run.perToken().get("mi");
                t.runs++;
                t.runInsidePooled += pooled >= run.ci95Low() && pooled <= run.ci95High() ? 1 : 0;
                t.runInsideSceneMean += mean >= run.ci95Low() && mean <= run.ci95High() ? 1 : 0;
                t.runError += mi.value() - pooled;
                t.runSe += mi.se();
                t.runNotOk += r.runValidity().get(run.runId()).ok() ? 0 : 1;
            }
            for (Reductions.SceneStats s : r.scenes()) {
                String key = s.runId() + "\u0000" + s.sceneToken();
                double truth = sceneTruth.get(key);
                Estimate e = s.miPerToken();
                double crit = Reductions.critical95(s.samples());
                t.scenes++;
                t.sceneInside += Math.abs(e.value() - truth) <= crit * e.se() ? 1 : 0;
                t.sceneError += e.value() - truth;
                t.sceneSe += e.se();
                boolean ok = r.sceneValidity().get(key).ok();
                t.sceneNotOk += ok ? 0 : 1;
                t.sceneOkInside += ok && Math.abs(e.value() - truth) <= crit * e.se() ? 1 : 0;
            }
            out.printf(Locale.ROOT, "seed %d done (%.0f s): run coverage so far %d/%d, scene %d/%d%n", seed,
                    (System.nanoTime() - start) / 1e9, t.runInsidePooled, t.runs, t.sceneInside, t.scenes);
        }
        out.println();
        out.println(report(t, seeds, first, estimator));
    }

    static String report(Tally t, int seeds, int first, String estimator) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Coverage of nominal 95%% intervals, estimator %s, %d generator seeds "
                + "(%d..%d) at demo size (4 runs x 24 scenes x 10 samples x 60 tokens, 32 + 32 channels)%n%n",
                estimator, seeds, first, first + seeds - 1));
        b.append("| level | truth compared with | intervals | containing the truth | share | mean error (bits/token) "
                + "| mean SE | rows not ok |\n|---|---|---|---|---|---|---|---|\n");
        b.append(String.format(Locale.ROOT,
                "| run | pooled (scene-mixture) MI | %d | %d | %.1f %% | %+.3f | %.3f | %d |%n",
                t.runs, t.runInsidePooled, 100.0 * t.runInsidePooled / t.runs, t.runError / t.runs, t.runSe / t.runs,
                t.runNotOk));
        b.append(String.format(Locale.ROOT,
                "| run | mean of the scene MI (not the estimand) | %d | %d | %.1f %% | | | |%n",
                t.runs, t.runInsideSceneMean, 100.0 * t.runInsideSceneMean / t.runs));
        b.append(String.format(Locale.ROOT, "| scene | the scene's own MI | %d | %d | %.1f %% | %+.3f | %.3f | %d |%n",
                t.scenes, t.sceneInside, 100.0 * t.sceneInside / t.scenes, t.sceneError / t.scenes,
                t.sceneSe / t.scenes, t.sceneNotOk));
        int ok = t.scenes - t.sceneNotOk;
        b.append(String.format(Locale.ROOT, "| scene, ok rows only | the scene's own MI | %d | %d | %.1f %% | | | |%n",
                ok, t.sceneOkInside, ok == 0 ? Double.NaN : 100.0 * t.sceneOkInside / ok));
        return b.toString();
    }

    static JobConfig config(String dir, String data, int seed, String estimator) {
        try {
            ObjectNode root = (ObjectNode) JobConfig.JSON.readTree("{\"name\": \"coverage-" + seed + "\"}");
            List<String> o = new ArrayList<>(List.of("input.features=" + data + "/features",
                    "groundTruth=" + data + "/ground_truth", "estimator.name=" + estimator,
                    "output.catalog=imcoverage", "output.warehouse=" + dir + "/warehouse",
                    "output.summaryDir=" + dir + "/out"));
            o.add("name=coverage-" + seed);
            Path job = Path.of("jobs", "demo.json");
            if (Files.exists(job)) {
                return JobConfig.load(job, o, null);
            }
            return JobConfig.fromTree(root, o, null, "coverage study");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
