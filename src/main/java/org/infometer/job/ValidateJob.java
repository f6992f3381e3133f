package org.infometer.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.infometer.config.JobConfig;
import org.infometer.io.IcebergTables;
import org.infometer.report.Estimate;
import org.infometer.progress.Progress;
import org.infometer.report.MeasureResult;
import org.infometer.report.Reductions;
import org.infometer.report.Validity;
import org.infometer.validate.BenchmarkTask;
import org.infometer.validate.BenchmarkTasks;
import org.infometer.validate.TaskData;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./submit.sh validate}: the estimators against closed-form truth. For every benchmark task it writes the
 * task as a features table through the input contract, runs the real measurement job on it (token granularity,
 * default options, cross-fitted) and compares run_mi's MI per token with the truth; the rows go to the
 * {@code validation} table and the console, and optionally to a Markdown file.
 */
public final class ValidateJob {

    static final double LN2 = Math.log(2);
    static final String NAMESPACE_OF_TASK_TABLES = "infometer_validation";
    /** What --estimators may name; the default stays gaussian,flow (the variational bounds train a critic per fold). */
    static final List<String> ESTIMATORS = List.of("gaussian", "flow", "mine", "infonce");

    private ValidateJob() {
    }

    /** What to validate and where to put it. */
    public record Options(List<String> estimators, List<String> tasks, int observations, int tokensPerSample,
                          int folds, long seed, String dir, String catalog, String warehouse, String namespace,
                          String name, LocalDate runDate, Path markdown, int partitions) {

        public Options {
            for (String e : estimators) {
                if (!ESTIMATORS.contains(e)) {
                    throw new IllegalArgumentException("--estimators takes " + String.join(", ", ESTIMATORS)
                            + " (comma-separated), got " + e);
                }
            }
            Map<String, BenchmarkTask> known = BenchmarkTasks.byName();
            for (String t : tasks) {
                if (!known.containsKey(t)) {
                    throw new IllegalArgumentException("Unknown task '" + t + "' (list them with validate --list)");
                }
            }
            if (observations < 100) {
                throw new IllegalArgumentException("--n must be at least 100 observations, got " + observations);
            }
            if (tokensPerSample < 1 || observations / tokensPerSample < 2 * folds) {
                throw new IllegalArgumentException("--tokens must leave at least 2 samples per fold: --n "
                        + observations + " / --tokens " + tokensPerSample);
            }
        }

        static Options parse(List<String> args) {
            String est = Main.option(args, "--estimators", "gaussian,flow");
            String tasks = Main.option(args, "--tasks", "all");
            List<String> names = switch (tasks) {
                case "all" -> List.copyOf(BenchmarkTasks.byName().keySet());
                case "quick" -> BenchmarkTasks.quick();
                default -> List.of(tasks.split(","));
            };
            String date = Main.option(args, "--run-date", null);
            String md = Main.option(args, "--markdown", null);
            Options o = new Options(List.of(est.split(",")), names, Main.intOption(args, "--n", 10_000),
                    Main.intOption(args, "--tokens", 10), Main.intOption(args, "--folds", 5),
                    Main.intOption(args, "--seed", 20240601), Main.option(args, "--dir", "validate-data"),
                    Main.option(args, "--catalog", "im"), Main.option(args, "--warehouse", "warehouse"),
                    Main.option(args, "--namespace", "infometer"), Main.option(args, "--name", "validate"),
                    date == null ? LocalDate.now(ZoneOffset.UTC) : LocalDate.parse(date),
                    md == null ? null : Path.of(md), Main.intOption(args, "--partitions", 2));
            if (!args.isEmpty()) {
                throw new IllegalArgumentException("Unknown validate options: " + args);
            }
            return o;
        }
    }

    /** One (task, estimator) result. */
    public record Outcome(BenchmarkTask task, String estimator, long samples, int tokensPerSample, Estimate mi,
                          double ciLow, double ciHigh, String status, String statusReason, double seconds) {

        public double errorNats() {
            return (mi.value() - task.truthBits()) * LN2;
        }

        public boolean pass() {
            return Double.isFinite(mi.value()) && Math.abs(errorNats()) <= task.toleranceNats();
        }

        public long observations() {
            return samples * tokensPerSample;
        }
    }

    static String list() {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-26s %-18s %-8s %s%n", "task", "family",
                "dims", "truth bits/token"));
        for (BenchmarkTask t : BenchmarkTasks.all()) {
            b.append(String.format(Locale.ROOT, "%-26s %-18s %-8s %.4f%s%n", t.name(), t.family(), t.dims(),
                    t.truthBits(), t.fixedSamples() > 0 ? "   (always " + t.fixedSamples() + " samples x 1 token)"
                            : ""));
        }
        b.append("quick subset (--tasks quick): ").append(String.join(",", BenchmarkTasks.quick()));
        return b.toString();
    }

    public static List<Outcome> run(SparkSession spark, Options o, PrintStream out) {
        Map<String, BenchmarkTask> known = BenchmarkTasks.byName();
        List<Outcome> outcomes = new ArrayList<>();
        int total = o.tasks().size() * o.estimators().size();
        int done = 0;
        out.printf(Locale.ROOT, "Validating %s on %d tasks (N = %,d observations, %d-fold cross-fitting, seed %d)%n",
                String.join(" and ", o.estimators()), o.tasks().size(), o.observations(), o.folds(), o.seed());
        for (String name : o.tasks()) {
            BenchmarkTask task = known.get(name);
            int[] layout = TaskData.layout(task, o.observations(), o.tokensPerSample());
            String path = Path.of(o.dir(), name, "features").toAbsolutePath().toString();
            TaskData.write(spark, task, layout[0], layout[1], o.seed(), path, o.partitions());
            for (String est : o.estimators()) {
                Outcome r = measure(spark, o, task, est, path, layout);
                outcomes.add(r);
                out.println(String.format(Locale.ROOT, "[%d/%d] ", ++done, total) + line(r));
            }
        }
        write(spark, o, outcomes);
        out.println();
        out.print(table(outcomes));
        if (o.markdown() != null) {
            try {
                if (o.markdown().toAbsolutePath().getParent() != null) {
                    Files.createDirectories(o.markdown().toAbsolutePath().getParent());
                }
                Files.writeString(o.markdown(), markdown(outcomes, o));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write " + o.markdown(), e);
            }
            out.println("Markdown table: " + o.markdown().toAbsolutePath());
        }
        out.println("Table: " + o.catalog() + "." + o.namespace() + ".validation (job_name = '" + o.name()
                + "', run_date = " + o.runDate() + ")");
        return outcomes;
    }

    private static Outcome measure(SparkSession spark, Options o, BenchmarkTask task, String est, String path,
                                   int[] layout) {
        // The job's own defaults for everything the task does not set (as a job file would get them).
        ObjectNode root = JobConfig.JSON.createObjectNode().put("name", o.name() + "-" + task.name() + "-" + est);
        root.putObject("input").put("features", path);
        root.putObject("pair").put("x", TaskData.X).put("y", TaskData.Y);
        root.putObject("estimator").put("name", est).put("granularity", "token").put("folds", o.folds())
                .put("seed", o.seed());
        root.putObject("validation").put("maxRejectedFraction", 0.0);
        root.putObject("output").put("catalog", o.catalog()).put("warehouse", o.warehouse())
                .put("namespace", NAMESPACE_OF_TASK_TABLES)
                .put("summaryDir", Path.of(o.dir(), "summaries").toString());
        JobConfig cfg = JobConfig.fromTree(root, List.of(), o.runDate(), "validation task " + task.name());
        long t0 = System.nanoTime();
        MeasureResult result = MeasureJob.run(spark, cfg, new PrintStream(OutputStream.nullOutputStream()),
                new Progress(new PrintStream(OutputStream.nullOutputStream())));
        double seconds = (System.nanoTime() - t0) / 1e9;
        Reductions.RunStats run = result.runs().get(0);
        Estimate mi = run.perToken().get("mi");
        // The run row's own validity status, from the checks every job runs (what run_mi says).
        Validity.Verdict verdict = result.runValidity().getOrDefault(run.runId(), Validity.Verdict.OK);
        return new Outcome(task, est, run.samples(), layout[1], mi, run.ci95Low(), run.ci95High(),
                verdict.status().label(), verdict.reason(), seconds);
    }

    private static void write(SparkSession spark, Options o, List<Outcome> outcomes) {
        IcebergTables.configure(spark, o.catalog(), o.warehouse());
        List<Row> rows = new ArrayList<>();
        Date date = Date.valueOf(o.runDate());
        for (Outcome r : outcomes) {
            BenchmarkTask t = r.task();
            rows.add(RowFactory.create(date, o.name(), t.name(), t.family(), t.dims(), t.dx(), t.dy(),
                    r.observations(), r.samples(), r.tokensPerSample(), r.estimator(), o.folds(), o.seed(),
                    t.truthBits(), finite(r.mi().value()), finite(r.mi().se()), finite(r.ciLow()),
                    finite(r.ciHigh()), finite(r.errorNats()), t.toleranceNats(), r.pass(), r.status(),
                    r.statusReason(), r.seconds()));
        }
        IcebergTables.ensure(spark, o.catalog(), o.namespace(), "validation");
        IcebergTables.replace(spark, o.catalog(), o.namespace(), "validation", rows, o.runDate(), o.name());
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    static String line(Outcome r) {
        BenchmarkTask t = r.task();
        return String.format(Locale.ROOT, "%-26s %-7s %-8s truth %.3f  estimate %s  %s  %.1f s", t.name(),
                t.dims(), r.estimator(), t.truthBits(), estimate(r), verdict(r), r.seconds());
    }

    private static String estimate(Outcome r) {
        return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", r.mi().value(), r.ciLow(), r.ciHigh());
    }

    private static String verdict(Outcome r) {
        String v = r.pass() ? "pass" : String.format(Locale.ROOT, "MISS (error %+.3f nats, tolerance %.3f)",
                r.errorNats(), r.task().toleranceNats());
        return r.status().equals("ok") ? v : v + "  " + r.status().toUpperCase(Locale.ROOT) + ": " + r.statusReason();
    }

    static String table(List<Outcome> outcomes) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-26s %-8s %7s %-10s %-26s %9s %-5s %-10s %7s%n", "task", "dims",
                "N", "estimator", "MI bits/token [95% CI]", "truth", "pass", "status", "seconds"));
        for (Outcome r : outcomes) {
            b.append(String.format(Locale.ROOT, "%-26s %-8s %7d %-10s %-26s %9.3f %-5s %-10s %7.1f%n",
                    r.task().name(), r.task().dims(), r.observations(), r.estimator(), estimate(r),
                    r.task().truthBits(), r.pass() ? "yes" : "NO", r.status(), r.seconds()));
        }
        passCounts(outcomes).forEach((est, c) -> b.append(String.format(Locale.ROOT,
                "%s: %d of %d tasks within max(10 %%, 0.05 nats) of the truth; %d not ok%n", est, c[0], c[1], c[2])));
        return b.toString();
    }

    /** Per estimator: passes, tasks, rows whose status is not ok. */
    static Map<String, int[]> passCounts(List<Outcome> outcomes) {
        Map<String, int[]> m = new LinkedHashMap<>();
        for (Outcome r : outcomes) {
            int[] c = m.computeIfAbsent(r.estimator(), k -> new int[3]);
            c[0] += r.pass() ? 1 : 0;
            c[1]++;
            c[2] += r.status().equals("ok") ? 0 : 1;
        }
        return m;
    }

    /** Estimators side by side, one row per task. */
    static String markdown(List<Outcome> outcomes, Options o) {
        List<String> ests = outcomes.stream().map(Outcome::estimator).distinct().toList();
        Map<String, Map<String, Outcome>> byTask = new LinkedHashMap<>();
        outcomes.forEach(r -> byTask.computeIfAbsent(r.task().name(), k -> new LinkedHashMap<>())
                .put(r.estimator(), r));
        StringBuilder b = new StringBuilder("| task | dims | N | truth (bits/token) |");
        StringBuilder sep = new StringBuilder("|---|---|---|---|");
        for (String e : ests) {
            b.append(' ').append(e).append(" [95 % CI] | pass | s |");
            sep.append("---|---|---|");
        }
        b.append('\n').append(sep).append('\n');
        byTask.forEach((task, byEst) -> {
            Outcome any = byEst.values().iterator().next();
            b.append(String.format(Locale.ROOT, "| %s | %s | %,d | %.3f |", task, any.task().dims(),
                    any.observations(), any.task().truthBits()));
            for (String e : ests) {
                Outcome r = byEst.get(e);
                if (r == null) {
                    b.append(" | | |");
                    continue;
                }
                String status = r.status().equals("ok") ? "" : " (" + r.status() + ")";
                b.append(String.format(Locale.ROOT, " %s%s | %s | %.0f |", estimate(r), status,
                        r.pass() ? "✓" : "✗", r.seconds()));
            }
            b.append('\n');
        });
        b.append('\n');
        passCounts(outcomes).forEach((est, c) -> b.append(String.format(Locale.ROOT,
                "- **%s**: %d of %d tasks within max(10 %%, 0.05 nats); %d rows not ok%n", est, c[0], c[1], c[2])));
        b.append(String.format(Locale.ROOT, "%nSeed %d, %d-fold cross-fitting, N = %,d observations (%d tokens per "
                + "sample) unless the task fixes its size.%n", o.seed(), o.folds(), o.observations(),
                o.tokensPerSample()));
        return b.toString();
    }
}
