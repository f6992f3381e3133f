package org.infometer.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.infometer.correlate.stats.Correlation;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A correlation job: which MI measurement to read, where detection accuracy comes from, which variables to
 * correlate and how to test them. A JSON file under {@code jobs/} plus {@code --set path=value} overrides, like
 * {@link JobConfig}; every rule is checked when the config is built, so a bad job fails before Spark starts.
 *
 * <pre>
 * {"name": "correlate-demo",
 *  "mi": {"jobName": "demo", "runDate": "same"},
 *  "runAccuracy": {"metricsDir": "demo-data/metrics"},
 *  "sceneAccuracy": {"detections": "demo-data/detections", "gtBoxes": "demo-data/gt_boxes"},
 *  "x": ["mi_bits_per_token", "mi_bits_per_sample", "mi_normalised"],
 *  "y": {"run": ["map", "nds"], "scene": ["map_present_classes", "nds_present_classes"]},
 *  "stats": {"permutations": 9999, "bootstrapResamples": 2000, "ciLevel": 0.95, "alpha": 0.05, "seed": 20240601}}
 * </pre>
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record CorrelateConfig(String name, Mi mi, RunAccuracy runAccuracy, SceneAccuracy sceneAccuracy,
                              List<String> x, Pid pid, Y y, Stats stats, Output output, String runDate)
        implements Serializable {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");

    /** MI x variables read from run_mi and scene_mi. */
    public static final List<String> MI_VARIABLES = List.of("mi_bits_per_token", "mi_bits_per_sample",
            "mi_normalised");
    /** Run-level y variables: the devkit's headline figures (metrics_summary.json or a metrics table). */
    public static final List<String> RUN_Y = List.of("map", "nds", "mate_m", "mase", "maoe_rad", "mave_m_s", "maae");
    /** Scene-level y variables: columns of scene_accuracy. */
    public static final List<String> SCENE_Y = List.of("map_present_classes", "nds_present_classes", "map", "nds",
            "mate_m", "mase", "maoe_rad", "mave_m_s", "maae");

    /**
     * The MI measurement to read: the job name it was written under, and its run date: {@code same} (this job's
     * run date), {@code latest} (the newest date of that job in run_mi) or YYYY-MM-DD.
     */
    public record Mi(String jobName, String runDate) implements Serializable {
    }

    /**
     * Per-run accuracy, exactly one of: {@code metricsDir}, a directory holding {@code <run_id>/metrics_summary.json}
     * (the devkit's output, one per run); {@code parquet}, a Parquet table path; {@code table}, a catalog table
     * name. Tables need {@code run_id} and the run-level y columns, one row per run after the optional
     * {@code where} filter (a Spark SQL condition).
     */
    public record RunAccuracy(String metricsDir, String parquet, String table, String where) implements Serializable {
    }

    /**
     * Per-scene accuracy, computed here by the nuScenes evaluation: predictions from {@code detections} (Parquet,
     * data-schemas/detections.json, all runs) or {@code resultsDir} ({@code <run_id>/results_nusc.json}, read on
     * the driver), against {@code gtBoxes} (Parquet, data-schemas/gt_boxes.ddl) and optionally {@code samples}
     * (Parquet: sample_token, scene_token, ego_pose_translation, for samples without annotations).
     */
    public record SceneAccuracy(String detections, String resultsDir, String gtBoxes, String samples)
            implements Serializable {
    }

    /**
     * PID terms as extra x variables, from {@code table} in the output namespace when it exists (skipped with a
     * note otherwise): rows of {@code jobName} (default: mi.jobName) at the MI run date with {@code run_id}, an
     * optional {@code scene_token} (null for run-level rows) and the numeric {@code terms} (all numeric columns
     * when null or empty). They enter as x named {@code pid_<column>}.
     */
    public record Pid(String table, String jobName, List<String> terms) implements Serializable {
    }

    /** y variables per level; an empty list skips that level, as does a missing sceneAccuracy the scene level. */
    public record Y(List<String> run, List<String> scene) implements Serializable {
    }

    /**
     * Test settings: Monte Carlo permutations (used above n = 8; below, all n! orderings are exact), bootstrap
     * resamples, interval level, significance level and the seed every draw derives from.
     */
    public record Stats(int permutations, int bootstrapResamples, double ciLevel, double alpha, long seed)
            implements Serializable {

        public Correlation.TestSettings settings() {
            return new Correlation.TestSettings(permutations, bootstrapResamples, ciLevel, alpha, seed);
        }
    }

    /** Iceberg catalog, warehouse and namespace of both the MI tables read and the tables written. */
    public record Output(String catalog, String warehouse, String namespace) implements Serializable {
    }

    public CorrelateConfig {
        require(name != null && NAME.matcher(name).matches(),
                "name must be letters, digits, '_', '.', '-' (it names the job's partition), got " + name);
        require(mi != null && mi.jobName() != null && NAME.matcher(mi.jobName()).matches(),
                "mi.jobName must name the MI job whose tables to read (its 'name'), got "
                        + (mi == null ? null : mi.jobName()));
        require(mi.runDate() == null || mi.runDate().equals("same") || mi.runDate().equals("latest")
                        || isDate(mi.runDate()),
                "mi.runDate must be same, latest or YYYY-MM-DD, got " + mi.runDate());
        if (runAccuracy != null) {
            runAccuracy = new RunAccuracy(blankToNull(runAccuracy.metricsDir()), blankToNull(runAccuracy.parquet()),
                    blankToNull(runAccuracy.table()), blankToNull(runAccuracy.where()));
        }
        if (sceneAccuracy != null) {
            sceneAccuracy = new SceneAccuracy(blankToNull(sceneAccuracy.detections()),
                    blankToNull(sceneAccuracy.resultsDir()), blankToNull(sceneAccuracy.gtBoxes()),
                    blankToNull(sceneAccuracy.samples()));
        }
        require(runAccuracy != null, "runAccuracy is required: {\"metricsDir\": DIR} with DIR/<run_id>/"
                + "metrics_summary.json, or {\"parquet\": PATH} or {\"table\": NAME}");
        int sources = count(runAccuracy.metricsDir(), runAccuracy.parquet(), runAccuracy.table());
        require(sources == 1, "runAccuracy needs exactly one of metricsDir, parquet, table; got " + sources);
        require(runAccuracy.where() == null || runAccuracy.metricsDir() == null,
                "runAccuracy.where filters a table; it does not apply to metricsDir");
        if (sceneAccuracy != null) {
            int preds = count(sceneAccuracy.detections(), sceneAccuracy.resultsDir());
            require(preds == 1, "sceneAccuracy needs exactly one of detections (Parquet) and resultsDir "
                    + "(<run_id>/results_nusc.json); got " + preds);
            require(blankToNull(sceneAccuracy.gtBoxes()) != null,
                    "sceneAccuracy.gtBoxes must name the ground-truth boxes table (Parquet, data-schemas/gt_boxes.ddl)");
        }
        require(x != null && !x.isEmpty(), "x must list at least one of " + MI_VARIABLES);
        for (String v : x) {
            require(MI_VARIABLES.contains(v), "x: unknown variable '" + v + "'; known: " + MI_VARIABLES
                    + " (PID terms come from pid.table)");
        }
        require(new HashSet<>(x).size() == x.size(), "x lists a variable twice: " + x);
        require(pid != null && pid.table() != null && NAME.matcher(pid.table()).matches(),
                "pid.table must be a table name in the output namespace (default pid)");
        require(pid.jobName() == null || NAME.matcher(pid.jobName()).matches(), "pid.jobName is not a job name");
        require(y != null && y.run() != null && y.scene() != null, "y.run and y.scene must be lists (may be empty)");
        for (String v : y.run()) {
            require(RUN_Y.contains(v), "y.run: unknown variable '" + v + "'; known: " + RUN_Y);
        }
        for (String v : y.scene()) {
            require(SCENE_Y.contains(v), "y.scene: unknown variable '" + v + "'; known: " + SCENE_Y
                    + " (map_present_classes is the per-scene mAP over classes present in the scene)");
        }
        require(!y.run().isEmpty() || (!y.scene().isEmpty() && sceneAccuracy != null),
                "nothing to correlate: y.run is empty and there is no scene level (y.scene or sceneAccuracy)");
        require(stats != null, "stats is required");
        try {
            stats.settings();
        } catch (IllegalArgumentException e) {
            require(false, "stats." + e.getMessage());
        }
        require(output != null && output.catalog() != null && output.warehouse() != null
                && output.namespace() != null, "output.catalog, output.warehouse and output.namespace are required");
        require(runDate != null && isDate(runDate),
                "runDate must be YYYY-MM-DD (set --run-date; it defaults to today in UTC), got " + runDate);
    }

    private static boolean isDate(String s) {
        if (!s.matches("\\d{4}-\\d{2}-\\d{2}")) {
            return false;
        }
        try {
            LocalDate.parse(s);
            return true;
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    private static int count(String... values) {
        int n = 0;
        for (String v : values) {
            if (blankToNull(v) != null) {
                n++;
            }
        }
        return n;
    }

    public static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("Invalid correlate config: " + message);
        }
    }

    public LocalDate date() {
        return LocalDate.parse(runDate);
    }

    /** The MI date as written: a date, "latest", or this job's date for "same". */
    public String miRunDateSpec() {
        return mi.runDate() == null || mi.runDate().equals("same") ? runDate : mi.runDate();
    }

    public String pidJobName() {
        return pid.jobName() == null ? mi.jobName() : pid.jobName();
    }

    public String table(String table) {
        return output.catalog() + "." + output.namespace() + "." + table;
    }

    /** Reads a job file, applies {@code path=value} overrides (dotted paths into the JSON), then validates. */
    public static CorrelateConfig load(Path file, List<String> overrides, LocalDate runDate) {
        JsonNode root;
        try {
            root = JobConfig.JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read correlate job file " + file + ": " + e.getMessage(), e);
        }
        if (!(root instanceof ObjectNode obj)) {
            throw new IllegalArgumentException("Correlate job file " + file + " must hold a JSON object");
        }
        return fromTree(obj, overrides, runDate, file.toString());
    }

    public static CorrelateConfig fromTree(ObjectNode root, List<String> overrides, LocalDate runDate, String source) {
        ObjectNode cfg = defaults();
        JobConfig.merge(cfg, root);
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("Override '" + o + "' must look like path.to.field=value");
            }
            JobConfig.set(cfg, o.substring(0, eq), o.substring(eq + 1));
        }
        if (runDate != null) {
            cfg.put("runDate", runDate.toString());
        } else if (!cfg.hasNonNull("runDate")) {
            cfg.put("runDate", LocalDate.now(java.time.ZoneOffset.UTC).toString());
        }
        try {
            return JobConfig.JSON.treeToValue(cfg, CorrelateConfig.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("Correlate job " + source + ": " + JobConfig.bindingError(e, cfg), e);
        }
    }

    private static ObjectNode defaults() {
        try {
            return (ObjectNode) JobConfig.JSON.readTree("""
                    {"name": "correlate",
                     "mi": {"jobName": null, "runDate": "same"},
                     "runAccuracy": {"metricsDir": null, "parquet": null, "table": null, "where": null},
                     "sceneAccuracy": null,
                     "x": ["mi_bits_per_token", "mi_bits_per_sample", "mi_normalised"],
                     "pid": {"table": "pid", "jobName": null, "terms": ["redundancy_bits", "unique_x_bits",
                             "unique_y_bits", "synergy_bits", "complementarity"]},
                     "y": {"run": ["map", "nds"], "scene": ["map_present_classes", "nds_present_classes"]},
                     "stats": {"permutations": 9999, "bootstrapResamples": 2000, "ciLevel": 0.95, "alpha": 0.05,
                               "seed": 20240601},
                     "output": {"catalog": "im", "warehouse": "warehouse", "namespace": "infometer"}}
                    """);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Names of the PID terms asked for; empty means every numeric column. */
    public List<String> pidTerms() {
        return pid.terms() == null ? List.of() : new ArrayList<>(pid.terms());
    }

    public String toJson() {
        try {
            return JobConfig.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
