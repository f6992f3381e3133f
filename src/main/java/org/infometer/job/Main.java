package org.infometer.job;

import org.apache.spark.sql.SparkSession;
import org.infometer.config.CorrelateConfig;
import org.infometer.config.JobConfig;
import org.infometer.failure.ExitCode;
import org.infometer.failure.JobFailure;
import org.infometer.io.IcebergTables;
import org.infometer.io.SparkSessions;
import org.infometer.progress.Progress;
import org.infometer.synth.GenerateConfig;
import org.infometer.synth.GenerateJob;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Command-line entry point (submit.sh calls it, embedded or through spark-submit).
 *
 * <pre>
 *   generate [--out DIR] [--scale demo|quarter-val|val] [--runs N] [--scenes N] [--samples-per-scene N]
 *            [--tokens N] [--channels-x N] [--channels-y N] [--latent N] [--seed N] [--partitions N]
 *   run JOB.json [--run-date YYYY-MM-DD] [--set path=value ...]
 *   correlate CORRELATE.json [--run-date YYYY-MM-DD] [--set path=value ...]
 *   demo [--dir DIR]
 *   sql "QUERY" [--warehouse DIR]
 *   bench [--scale quarter-val|...] [see Bench]
 *   validate [--estimators gaussian,flow] [--tasks all|quick|NAME,...] [--n N] [--list] [see ValidateJob]
 *   coverage [--seeds 20] [--first-seed 1] [--estimator gaussian|flow] [--dir coverage-data] [see CoverageStudy]
 * </pre>
 * Exit codes: 0 success, 2 usage or configuration error, 3 bad input, 1 any other failure.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * netlib's loader logs a WARNING through java.util.logging each time it probes for a native BLAS/LAPACK that is
     * not there (Spark's linear algebra probes on its own). The BLAS actually used is chosen and named by
     * {@link org.infometer.estimate.Blas} (progress log, summary.json), so those probes are noise; a reference kept
     * here because java.util.logging holds loggers weakly.
     */
    private static final java.util.logging.Logger NETLIB_LOG = java.util.logging.Logger.getLogger("dev.ludovic.netlib");

    static int run(String[] args) {
        NETLIB_LOG.setLevel(java.util.logging.Level.SEVERE);
        org.infometer.report.PeakMemory.start();
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            System.out.println(usage() + "\n" + ExitCode.describe());
            return args.length == 0 ? 2 : 0;
        }
        String mode = args[0];
        List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
        if (rest.contains("--help") || rest.contains("-h")) {
            String help = modeUsage(mode);
            System.out.println(help == null ? usage()
                    : "usage: submit.sh " + help.stripLeading() + "\n" + ExitCode.describe());
            return help == null ? ExitCode.USAGE.code() : ExitCode.OK.code();
        }
        List<String> given = List.copyOf(rest);
        ModeRun ctx = new ModeRun(mode, given);
        Progress.forgetLatest();
        try {
            ctx.summaryOption = option(rest, "--summary", null);
            switch (mode) {
                case "generate" -> generate(rest);
                case "run" -> runJob(rest, ctx);
                case "pid" -> pidJob(rest, ctx);
                case "pid-columns" -> pidColumns(rest);
                case "correlate" -> correlate(rest, ctx);
                case "demo" -> Demo.run(option(rest, "--dir", "demo-data"), System.out);
                case "sql" -> sql(rest);
                case "bench" -> Bench.run(rest, System.out);
                case "validate" -> validate(rest);
                case "coverage" -> CoverageStudy.run(rest, System.out);
                case "report" -> report(rest);
                case "history" -> ctx.extra = history(rest);
                case "import" -> importDumps(rest);
                default -> {
                    System.err.println("Unknown mode '" + mode + "'.\n" + usage());
                    return 2;
                }
            }
            ctx.leaveSummary(null);
            return 0;
        } catch (Exception e) {
            // Exception, not RuntimeException: Spark throws its checked SparkException undeclared.
            ExitCode code = ExitCode.of(e);
            switch (code) {
                case BAD_INPUT -> System.err.println("Bad input: " + badInputMessage(e));
                case USAGE -> System.err.println("Error: " + e.getMessage());
                default -> {
                    System.err.println("Failed: " + e);
                    e.printStackTrace(System.err);
                }
            }
            // After the message, so a failure's first line on stderr stays the reason.
            ctx.leaveSummary(e);
            return code.code();
        }
    }

    /**
     * What a mode leaves behind as summary.json. A job-file mode whose config loaded writes the summary in its
     * config's {@code output.summaryDir} (the MI job itself, success and failure; the PID job on success, here on
     * failure); every other case writes {@link ModeSummary} at {@code --summary FILE}, else at
     * {@code infometer-out/<mode>/<run date or today>/summary.json} under the submitting directory.
     */
    static final class ModeRun {
        final String mode;
        final List<String> args;
        final long startNanos = System.nanoTime();
        String summaryOption;
        JobConfig jobConfig;
        boolean jobWritesFailure;
        /** A mode's own block for its summary.json (e.g. history's series), or null. */
        com.fasterxml.jackson.databind.node.ObjectNode extra;
        /** The submission's job, date, tool version and config of a mode that loaded a job file, or null. */
        com.fasterxml.jackson.databind.node.ObjectNode meta;

        ModeRun(String mode, List<String> args) {
            this.mode = mode;
            this.args = args;
        }

        void leaveSummary(Exception error) {
            // A query leaves nothing behind on purpose: sql is a read-only look at the tables.
            if (mode.equals("sql")) {
                return;
            }
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            try {
                Path written;
                if (jobConfig != null) {
                    if (error == null || jobWritesFailure) {
                        return;
                    }
                    written = org.infometer.report.SummaryJson.writeFailure(jobConfig, error, seconds);
                } else {
                    written = org.infometer.report.ModeSummary.write(summaryFile(), mode, args, error, seconds,
                            extra, meta);
                }
                System.err.println("Summary: " + written);
            } catch (RuntimeException e) {
                // The mode's own outcome and exit code matter more than its summary.
                System.err.println("Warning: could not write summary.json: " + e.getMessage());
            }
        }

        Path summaryFile() {
            if (summaryOption != null) {
                return Path.of(absolute(summaryOption, null));
            }
            int i = args.indexOf("--run-date");
            LocalDate date = LocalDate.now(java.time.ZoneOffset.UTC);
            try {
                date = i >= 0 && i + 1 < args.size() ? LocalDate.parse(args.get(i + 1)) : date;
            } catch (java.time.format.DateTimeParseException e) {
                // A bad --run-date is what failed; it must not become a directory name.
            }
            return org.infometer.report.ModeSummary.defaultPath(submitDir(), mode, date.toString());
        }
    }

    /** The message of the input failure itself, not of the Spark exception that may wrap it. */
    private static String badInputMessage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JobFailure f) {
                return f.getMessage();
            }
        }
        return e.getMessage();
    }

    static String usage() {
        return """
                usage: submit.sh MODE [options]
                every mode but sql leaves a summary.json: run and pid in output.summaryDir, others at
                --summary FILE or infometer-out/MODE/DATE/summary.json
                  demo                         generate small data, measure it, print the report
                  generate [--out DIR] [--scale demo|quarter-val|val] [--runs N] [--scenes N]
                           [--samples-per-scene N] [--tokens N] [--channels-x N] [--channels-y N]
                           [--latent N] [--seed N] [--partitions N]
                  run JOB.json [--run-date YYYY-MM-DD] [--set path.to.field=value ...]
                  pid JOB.json [--run-date YYYY-MM-DD] [--set ...]   PID of the target by the two modalities
                  pid-columns --input PATH|TABLE --x COL --y COL --target COL [--group COL] [--warehouse DIR]
                              [--write [--job pid-columns] [--namespace infometer] [--run-date YYYY-MM-DD]]
                  correlate CORRELATE.json [--run-date YYYY-MM-DD] [--set path.to.field=value ...]
                                               correlate MI with detection accuracy (jobs/correlate-demo.json)
                  sql "QUERY" [--warehouse DIR]   query the output tables (namespace infometer)
                  bench [--scale quarter-val] [--repeats N]
                  validate [--estimators gaussian,flow] [--tasks all|quick|NAME,...] [--n 10000] [--tokens 10]
                           [--seed N] [--folds 5] [--markdown FILE] [--list]
                                               estimators against closed-form MI (bmi benchmark families)
                  report --job NAME [--run-date YYYY-MM-DD|latest] [--out FILE] [--warehouse DIR]
                         [--pid-job NAME] [--summary-dir DIR]   self-contained HTML report of a job's run date
                  history --job NAME [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--estimator E] [--warehouse DIR]
                          [--previous-dates 7] [--z-threshold 3.0]   a job's MI (and PID) by date with drift z
                  import --from npz|npy DIR --index FILE --out PATH [--x camera] [--y lidar] [--partitions N]
                  import --generate-example DIR [--scenes 20] [--samples-per-scene 12] [--tokens 50] [--seed 7]
                                               write example .npz dumps (8 + 8 channels, rho 0.8) and DIR/index.csv
                  coverage [--seeds 20] [--first-seed 1] [--estimator gaussian|flow] [--dir coverage-data]
                                               interval coverage over generator seeds (run and scene level)""";
    }

    /** The lines of {@link #usage()} for one mode (its line and the indented lines under it), or null. */
    static String modeUsage(String mode) {
        StringBuilder b = null;
        for (String line : usage().split("\n")) {
            boolean modeLine = line.startsWith("  ") && !line.startsWith("   ");
            if (modeLine) {
                if (b != null) {
                    break;
                }
                if (line.strip().equals(mode) || line.strip().startsWith(mode + " ")) {
                    b = new StringBuilder(line);
                }
            } else if (b != null) {
                b.append('\n').append(line);
            }
        }
        return b == null ? null : b.toString();
    }

    static String option(List<String> args, String name, String dflt) {
        int i = args.indexOf(name);
        if (i < 0) {
            return dflt;
        }
        if (i + 1 >= args.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        String v = args.get(i + 1);
        args.remove(i + 1);
        args.remove(i);
        return v;
    }

    static int intOption(List<String> args, String name, int dflt) {
        String v = option(args, name, null);
        try {
            return v == null ? dflt : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got " + v);
        }
    }

    static void validate(List<String> args) {
        if (args.remove("--list")) {
            System.out.println(ValidateJob.list());
            return;
        }
        ValidateJob.Options o = ValidateJob.Options.parse(args);
        SparkSession spark = SparkSessions.create("infometer-validate");
        ValidateJob.run(spark, o, System.out);
    }

    static GenerateConfig generateConfig(List<String> args) {
        String out = absolute(option(args, "--out", "demo-data"), null);
        String scale = option(args, "--scale", "demo");
        GenerateConfig base = switch (scale) {
            case "demo" -> GenerateConfig.demo(out);
            case "val" -> GenerateConfig.nuscenesVal(out);
            case "quarter-val" -> GenerateConfig.nuscenesVal(out).withSize(1, 38, 40, 900, 256, 256);
            default -> throw new IllegalArgumentException("--scale must be demo, quarter-val or val, got " + scale);
        };
        GenerateConfig g = new GenerateConfig(out, intOption(args, "--runs", base.runs()),
                intOption(args, "--scenes", base.scenes()),
                intOption(args, "--samples-per-scene", base.samplesPerScene()),
                intOption(args, "--tokens", base.tokens()), intOption(args, "--channels-x", base.channelsX()),
                intOption(args, "--channels-y", base.channelsY()), intOption(args, "--latent", base.latent()),
                intOption(args, "--seed", (int) base.seed()), intOption(args, "--partitions", base.partitions()),
                option(args, "--x", base.x()), option(args, "--y", base.y()));
        if (!args.isEmpty()) {
            throw new IllegalArgumentException("Unknown generate options: " + args);
        }
        return g;
    }

    static void generate(List<String> args) {
        GenerateConfig g = generateConfig(args);
        SparkSession spark = SparkSessions.create("infometer-generate");
        GenerateJob.run(spark, g, Progress.stderr());
        System.out.println("Wrote " + Path.of(g.out()).toAbsolutePath()
                + "/{features,ground_truth,gt_boxes,detections,run_metrics,metrics/<run_id>/metrics_summary.json}");
    }

    /** The arguments of a job-file mode: JOB.json [--run-date YYYY-MM-DD] [--set path=value ...]. */
    record JobArgs(Path file, List<String> overrides, LocalDate runDate) {
    }

    static JobArgs jobArgs(List<String> args, String example) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("a job file is needed, e.g. " + example);
        }
        String date = option(args, "--run-date", null);
        List<String> overrides = new ArrayList<>();
        String o;
        while ((o = option(args, "--set", null)) != null) {
            overrides.add(o);
        }
        if (args.size() != 1) {
            throw new IllegalArgumentException("one job file expected; unexpected: " + args);
        }
        return new JobArgs(Path.of(args.get(0)), overrides, date == null ? null : parseDate(date));
    }

    /** Path fields of a job file, made absolute against the submitting directory. */
    static final List<String> JOB_PATHS = List.of("input.features", "groundTruth", "output.summaryDir");
    static final List<String> CORRELATE_PATHS = List.of("runAccuracy.metricsDir", "runAccuracy.parquet",
            "sceneAccuracy.detections", "sceneAccuracy.resultsDir", "sceneAccuracy.gtBoxes", "sceneAccuracy.samples");

    /**
     * The directory submit.sh was started in. Under spark-submit the driver may run elsewhere (and executors always
     * do), so a relative path in a job file or on the command line means this directory, passed by submit.sh as
     * {@code spark.infometer.submitDir}.
     */
    static Path submitDir() {
        String d = System.getProperty("spark.infometer.submitDir");
        return Path.of(d == null || d.isBlank() ? System.getProperty("user.dir") : d).toAbsolutePath();
    }

    /** {@code path} absolute against {@link #submitDir()}: URIs and absolute paths are kept as they are. */
    static String absolute(String path, SparkSession spark) {
        if (path == null || path.isBlank() || path.startsWith("/") || path.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            return path;
        }
        String abs = submitDir().resolve(path).normalize().toString();
        String defaultFs = spark == null ? "file:///"
                : spark.sparkContext().hadoopConfiguration().get("fs.defaultFS", "file:///");
        // Where the default file system is not local, a bare absolute path would name a directory there.
        return defaultFs.startsWith("file:") ? abs : "file:" + abs;
    }

    /**
     * Overrides that make the config's relative paths absolute and name the warehouse the job will really use:
     * {@code --set output.warehouse} first, else the session's catalog definition (a profile, --conf), else the
     * job file's value.
     */
    static List<String> resolvedOverrides(SparkSession spark, JsonTree tree, List<String> overrides,
                                          List<String> pathFields, String catalog) {
        List<String> out = new ArrayList<>(overrides);
        for (String field : pathFields) {
            String v = tree.get(field);
            String abs = absolute(v, spark);
            if (v != null && !v.equals(abs)) {
                out.add(field + "=" + abs);
            }
        }
        String explicit = null;
        for (String o : overrides) {
            if (o.startsWith("output.warehouse=")) {
                explicit = o.substring("output.warehouse=".length());
            }
        }
        String warehouse;
        if (explicit != null) {
            warehouse = IcebergTables.use(spark, catalog, absolute(explicit, spark));
        } else {
            warehouse = IcebergTables.effectiveWarehouse(spark, catalog, absolute(tree.get("output.warehouse"), spark),
                    null);
        }
        out.add("output.warehouse=" + warehouse);
        return out;
    }

    /** Dotted-path lookup into a loaded config's fields. */
    interface JsonTree {
        String get(String dottedPath);
    }

    static JsonTree tree(Object config) {
        com.fasterxml.jackson.databind.JsonNode root = JobConfig.JSON.valueToTree(config);
        return path -> {
            com.fasterxml.jackson.databind.JsonNode n = root;
            for (String part : path.split("\\.")) {
                n = n == null ? null : n.get(part);
            }
            return n == null || n.isNull() ? null : n.asText();
        };
    }

    /** A job file mode's config, loaded twice: checked before Spark starts, then resolved against the session. */
    record LoadedJob(JobConfig config, SparkSession spark) {
    }

    static LoadedJob loadJob(List<String> args, String appPrefix) {
        JobArgs a = jobArgs(args, "jobs/nightly-camera-lidar.json");
        Path file = submitDir().resolve(a.file());
        JobConfig first = JobConfig.load(file, a.overrides(), a.runDate());
        SparkSession spark = SparkSessions.create(appPrefix + first.name());
        List<String> o = resolvedOverrides(spark, tree(first), a.overrides(), JOB_PATHS, first.output().catalog());
        return new LoadedJob(JobConfig.load(file, o, a.runDate()), spark);
    }

    static void pidJob(List<String> args, ModeRun ctx) {
        LoadedJob j = loadJob(args, "infometer-pid-");
        ctx.jobConfig = j.config();
        PidJob.run(j.spark(), j.config(), System.out);
    }

    static void pidColumns(List<String> args) {
        String input = option(args, "--input", null);
        String x = option(args, "--x", null);
        String y = option(args, "--y", null);
        String target = option(args, "--target", null);
        String group = option(args, "--group", null);
        String warehouse = option(args, "--warehouse", "warehouse");
        boolean write = args.remove("--write");
        String job = option(args, "--job", "pid-columns");
        String namespace = option(args, "--namespace", "infometer");
        String date = option(args, "--run-date", null);
        if (input == null || x == null || y == null || target == null || !args.isEmpty()) {
            throw new IllegalArgumentException("pid-columns needs --input, --x, --y and --target (and optionally "
                    + "--group, --write); unexpected: " + args);
        }
        PidJob.ColumnsTable table = write ? new PidJob.ColumnsTable("im", namespace, job,
                date == null ? LocalDate.now(java.time.ZoneOffset.UTC) : parseDate(date)) : null;
        SparkSession spark = SparkSessions.create("infometer-pid-columns");
        IcebergTables.configure(spark, "im", absolute(warehouse, spark));
        // PidJob.columns reads a name without '/' as a catalog table.
        PidJob.columns(spark, input.contains("/") ? absolute(input, spark) : input, x, y, target, group, table,
                System.out);
    }

    static void runJob(List<String> args, ModeRun ctx) {
        LoadedJob j = loadJob(args, "infometer-");
        ctx.jobConfig = j.config();
        ctx.jobWritesFailure = true;
        MeasureJob.run(j.spark(), j.config(), System.out);
        // From here a failure (drift) would otherwise leave the MI job's success summary standing.
        ctx.jobWritesFailure = false;
        DriftStep.run(j.spark(), j.config(), System.out);
    }

    static void correlate(List<String> args, ModeRun ctx) {
        JobArgs a = jobArgs(args, "jobs/correlate-demo.json");
        Path file = submitDir().resolve(a.file());
        CorrelateConfig first = CorrelateConfig.load(file, a.overrides(), a.runDate());
        SparkSession spark = SparkSessions.create("infometer-" + first.name());
        List<String> o = resolvedOverrides(spark, tree(first), a.overrides(), CORRELATE_PATHS,
                first.output().catalog());
        CorrelateConfig cfg = CorrelateConfig.load(file, o, a.runDate());
        ctx.meta = CorrelateJob.meta(cfg);
        CorrelateJob.run(spark, cfg, System.out);
    }

    static LocalDate parseDate(String date) {
        try {
            return LocalDate.parse(date);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("--run-date must be YYYY-MM-DD, got " + date);
        }
    }

    static void report(List<String> args) {
        String job = option(args, "--job", null);
        String date = option(args, "--run-date", "latest");
        String out = option(args, "--out", null);
        String warehouse = option(args, "--warehouse", "warehouse");
        String pidJob = option(args, "--pid-job", null);
        String summaryDir = option(args, "--summary-dir", "infometer-out");
        if (job == null || !args.isEmpty()) {
            throw new IllegalArgumentException("report needs --job NAME; unexpected: " + args);
        }
        SparkSession spark = SparkSessions.create("infometer-report");
        IcebergTables.register(spark, "im", absolute(warehouse, spark));
        org.infometer.htmlreport.HtmlReport.Written w = org.infometer.htmlreport.ReportCommand.run(spark,
                "im.infometer", job, date, pidJob, Path.of(absolute(summaryDir, null)),
                out == null ? null : Path.of(absolute(out, null)));
        System.out.println("Report (" + w.charts() + " charts): " + w.file());
    }

    static com.fasterxml.jackson.databind.node.ObjectNode history(List<String> args) {
        String job = option(args, "--job", null);
        java.time.LocalDate from = org.infometer.history.HistoryCommand.date("--from", option(args, "--from", null));
        java.time.LocalDate to = org.infometer.history.HistoryCommand.date("--to", option(args, "--to", null));
        String estimator = option(args, "--estimator", null);
        String warehouse = option(args, "--warehouse", "warehouse");
        int previous = intOption(args, "--previous-dates", 7);
        String z = option(args, "--z-threshold", "3.0");
        double threshold;
        try {
            threshold = Double.parseDouble(z);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("history --z-threshold: expected a positive number, got '" + z + "'");
        }
        if (job == null || !args.isEmpty()) {
            throw new IllegalArgumentException("history needs --job NAME" + (args.isEmpty() ? ""
                    : "; unexpected: " + String.join(" ", args)));
        }
        SparkSession spark = SparkSessions.create("infometer-history");
        IcebergTables.register(spark, "im", absolute(warehouse, spark));
        return org.infometer.history.HistoryCommand.run(spark, new org.infometer.history.HistoryCommand.Request(
                "im.infometer", job, from, to, estimator, previous, threshold), System.out);
    }

    static void importDumps(List<String> args) {
        String example = option(args, "--generate-example", null);
        if (example != null) {
            // The sizes are options so that the README's finite-sample table can be reproduced at other sizes.
            int scenes = intOption(args, "--scenes", org.infometer.importer.ExampleDumps.SCENES);
            int perScene = intOption(args, "--samples-per-scene",
                    org.infometer.importer.ExampleDumps.SAMPLES_PER_SCENE);
            int tokens = intOption(args, "--tokens", org.infometer.importer.ExampleDumps.TOKENS);
            long seed = intOption(args, "--seed", (int) org.infometer.importer.ExampleDumps.SEED);
            if (scenes < 1 || perScene < 1 || tokens < 1) {
                throw new IllegalArgumentException("import --generate-example needs --scenes, --samples-per-scene and "
                        + "--tokens of at least 1; got " + scenes + ", " + perScene + ", " + tokens);
            }
            if (!args.isEmpty()) {
                throw new IllegalArgumentException("import --generate-example DIR [--scenes N] [--samples-per-scene N] "
                        + "[--tokens N] [--seed N]; unexpected: " + args);
            }
            Path index = org.infometer.importer.ExampleDumps.write(Path.of(absolute(example, null)), scenes, perScene,
                    tokens, org.infometer.importer.ExampleDumps.CHANNELS, seed);
            System.out.printf(java.util.Locale.ROOT, "Wrote %d example dumps (%d scenes x %d tokens) and %s; their "
                    + "true MI is %.2f bits per token%n", scenes * perScene, scenes, tokens, index,
                    org.infometer.importer.ExampleDumps.closedFormMiBitsPerToken(
                            org.infometer.importer.ExampleDumps.CHANNELS));
            return;
        }
        String format = option(args, "--from", null);
        String index = option(args, "--index", null);
        String out = option(args, "--out", null);
        String x = option(args, "--x", "camera");
        String y = option(args, "--y", "lidar");
        int partitions = intOption(args, "--partitions", 8);
        if (format == null || index == null || out == null || args.size() != 1) {
            throw new IllegalArgumentException("import needs --from npz|npy DIR --index FILE --out PATH; unexpected: "
                    + args);
        }
        SparkSession spark = SparkSessions.create("infometer-import");
        long n = org.infometer.importer.DumpImport.run(spark, new org.infometer.importer.DumpImport.Options(format,
                absolute(args.get(0), null), absolute(index, spark), absolute(out, spark), x, y, partitions));
        System.out.println("Imported " + n + " samples into " + absolute(out, spark)
                + " (features contract; set input.features to it in a job file)");
    }

    static void sql(List<String> args) {
        String warehouse = option(args, "--warehouse", "warehouse");
        String catalog = option(args, "--catalog", "im");
        if (args.size() != 1) {
            throw new IllegalArgumentException("sql takes one quoted query, e.g. submit.sh sql \"SELECT * FROM "
                    + "infometer.run_mi\"");
        }
        SparkSession spark = SparkSessions.create("infometer-sql");
        IcebergTables.register(spark, catalog, absolute(warehouse, spark));
        spark.conf().set("spark.sql.defaultCatalog", catalog);
        spark.sql(args.get(0)).show(1000, false);
    }
}
