package org.infometer.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code history --job NAME [--from D] [--to D] [--estimator E]}: a job's MI series from the history table with
 * each date's drift z-score against its previous dates (the nightly check, recomputed for every date shown), and
 * the job's PID series from pid_history when it has one.
 */
public final class HistoryCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HistoryCommand() {
    }

    /** What to show; dates and estimator may be null (open). */
    public record Request(String namespace, String job, LocalDate from, LocalDate to, String estimator,
                          int previousDates, double zThreshold) {
    }

    /** A date given on the command line, or a usage error naming the option and what was expected. */
    public static LocalDate date(String option, String value) {
        if (value == null) {
            return null;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("history " + option + ": expected a date YYYY-MM-DD, got '" + value
                    + "'");
        }
    }

    /** Prints the series and returns the summary.json block describing it. */
    public static ObjectNode run(SparkSession spark, Request req, PrintStream out) {
        if (req.job() == null || !req.job().matches("[A-Za-z0-9_][A-Za-z0-9_.-]*")) {
            throw new IllegalArgumentException("history --job: expected a job name (letters, digits, '_', '.', '-'), "
                    + "got " + (req.job() == null ? "nothing" : "'" + req.job() + "'"));
        }
        if (req.from() != null && req.to() != null && req.from().isAfter(req.to())) {
            throw new IllegalArgumentException("history --from " + req.from() + " is after --to " + req.to());
        }
        if (req.previousDates() < 1 || req.previousDates() > 365) {
            throw new IllegalArgumentException("history --previous-dates: expected 1 to 365, got "
                    + req.previousDates());
        }
        if (!(req.zThreshold() > 0) || !Double.isFinite(req.zThreshold())) {
            throw new IllegalArgumentException("history --z-threshold: expected a positive number, got "
                    + req.zThreshold());
        }
        // Everything up to --to, so the first dates shown are compared with the dates before --from.
        List<Row> all = HistoryTable.series(spark, req.namespace(), req.job(), null, req.to(), req.estimator());
        List<Row> pid = HistoryTable.pidSeries(spark, req.namespace(), req.job(), req.from(), req.to());
        List<Row> shown = all.stream().filter(r -> req.from() == null
                || !r.getDate(r.fieldIndex("run_date")).toLocalDate().isBefore(req.from())).toList();
        if (shown.isEmpty() && pid.isEmpty()) {
            throw new IllegalArgumentException(emptyMessage(spark, req));
        }
        ObjectNode block = JSON.createObjectNode();
        block.put("job_name", req.job());
        block.put("table", req.namespace() + "." + HistoryTable.TABLE);
        putDate(block, "from", req.from());
        putDate(block, "to", req.to());
        if (req.estimator() == null) {
            block.putNull("estimator");
        } else {
            block.put("estimator", req.estimator());
        }
        block.put("previous_dates", req.previousDates());
        block.put("z_threshold", req.zThreshold());
        ArrayNode rows = block.putArray("rows");
        if (!shown.isEmpty()) {
            printMi(req, all, shown, out, rows);
        }
        ArrayNode pidRows = block.putArray("pid_rows");
        if (!pid.isEmpty()) {
            printPid(req, pid, out, pidRows);
        }
        return block;
    }

    private static void printMi(Request req, List<Row> all, List<Row> shown, PrintStream out, ArrayNode json) {
        Map<String, List<HistoryPoint>> byEstimator = new LinkedHashMap<>();
        for (Row r : all) {
            if (!r.isNullAt(r.fieldIndex("mi_bits_per_token"))) {
                byEstimator.computeIfAbsent(r.getString(r.fieldIndex("estimator")), k -> new ArrayList<>())
                        .add(HistoryTable.point(r));
            }
        }
        Map<String, DriftCheck.RunDrift> drift = new LinkedHashMap<>();
        byEstimator.forEach((est, points) -> DriftCheck.everyDate(points, req.previousDates(), req.zThreshold())
                .forEach((d, result) -> result.runs().forEach(rd -> drift.put(key(d, rd.runId(), est), rd))));
        TreeSet<LocalDate> dates = new TreeSet<>();
        shown.forEach(r -> dates.add(r.getDate(r.fieldIndex("run_date")).toLocalDate()));
        out.printf(Locale.ROOT, "History of job %s in %s.%s: %d row(s), %d date(s) from %s to %s%s%n", req.job(),
                req.namespace(), HistoryTable.TABLE, shown.size(), dates.size(), dates.first(), dates.last(),
                req.estimator() == null ? "" : ", estimator " + req.estimator());
        out.printf(Locale.ROOT, "z: the date's MI against the mean of its previous %d dates (|z| > %s alerts)%n",
                req.previousDates(), trim(req.zThreshold()));
        String fmt = "%-10s  %-12s  %-16s  %9s  %8s  %-20s  %7s  %-10s  %7s  %s%n";
        out.printf(Locale.ROOT, fmt, "run_date", "run_id", "estimator", "MI b/tok", "SE", "95% interval",
                "samples", "status", "z", "drift");
        for (Row r : shown) {
            LocalDate d = r.getDate(r.fieldIndex("run_date")).toLocalDate();
            String run = r.getString(r.fieldIndex("run_id"));
            String est = r.getString(r.fieldIndex("estimator"));
            DriftCheck.RunDrift rd = drift.get(key(d, run, est));
            Double mi = num(r, "mi_bits_per_token");
            Double se = num(r, "mi_se_bits_per_token");
            Double lo = num(r, "mi_ci95_low_bits_per_token");
            Double hi = num(r, "mi_ci95_high_bits_per_token");
            String status = r.getString(r.fieldIndex("status"));
            out.printf(Locale.ROOT, fmt, d, run, est, f4(mi), f4(se),
                    lo == null || hi == null ? "-" : "[" + f4(lo) + ", " + f4(hi) + "]",
                    r.get(r.fieldIndex("n_samples")), status,
                    rd == null || Double.isNaN(rd.z()) ? "-" : String.format(Locale.ROOT, "%.2f", rd.z()),
                    rd == null ? "-" : rd.status());
            ObjectNode o = json.addObject();
            o.put("run_date", d.toString());
            o.put("run_id", run);
            o.put("estimator", est);
            put(o, "mi_bits_per_token", mi);
            put(o, "mi_se_bits_per_token", se);
            put(o, "mi_ci95_low_bits_per_token", lo);
            put(o, "mi_ci95_high_bits_per_token", hi);
            o.put("n_samples", r.getLong(r.fieldIndex("n_samples")));
            o.put("status", status);
            o.put("status_reason", r.getString(r.fieldIndex("status_reason")));
            put(o, "z", rd == null ? null : nan(rd.z()));
            put(o, "baseline_mi_bits_per_token", rd == null ? null : nan(rd.baseline()));
            o.put("drift_status", rd == null ? null : rd.status());
        }
    }

    private static void printPid(Request req, List<Row> pid, PrintStream out, ArrayNode json) {
        out.printf(Locale.ROOT, "%nPID terms of job %s in %s.%s (main k; bits, bootstrap interval):%n", req.job(),
                req.namespace(), HistoryTable.PID_TABLE);
        String fmt = "%-10s  %-12s  %4s  %-26s  %-26s  %-26s  %-26s  %s%n";
        out.printf(Locale.ROOT, fmt, "run_date", "run_id", "k", "redundancy", "unique_x", "unique_y", "synergy",
                "status");
        for (Row r : pid) {
            ObjectNode o = json.addObject();
            LocalDate d = r.getDate(r.fieldIndex("run_date")).toLocalDate();
            o.put("run_date", d.toString());
            o.put("run_id", r.getString(r.fieldIndex("run_id")));
            o.put("k", r.getInt(r.fieldIndex("k_x")));
            List<String> cells = new ArrayList<>();
            for (String t : HistoryTable.pidTerms()) {
                Double v = num(r, t + "_bits");
                Double lo = num(r, t + "_low_bits");
                Double hi = num(r, t + "_high_bits");
                cells.add(f4(v) + (lo == null || hi == null ? "" : " [" + f4(lo) + ", " + f4(hi) + "]"));
                put(o, t + "_bits", v);
                put(o, t + "_low_bits", lo);
                put(o, t + "_high_bits", hi);
            }
            o.put("status", r.getString(r.fieldIndex("status")));
            out.printf(Locale.ROOT, fmt, d, r.getString(r.fieldIndex("run_id")), r.getInt(r.fieldIndex("k_x")),
                    cells.get(0), cells.get(1), cells.get(2), cells.get(3), r.getString(r.fieldIndex("status")));
        }
    }

    private static String emptyMessage(SparkSession spark, Request req) {
        List<String> jobs = HistoryTable.jobs(spark, req.namespace());
        String where = req.namespace() + "." + HistoryTable.TABLE;
        if (!jobs.contains(req.job())) {
            return "history --job " + req.job() + ": no rows for this job in " + where + " or "
                    + req.namespace() + "." + HistoryTable.PID_TABLE + (jobs.isEmpty()
                    ? " (no MI job has published to this warehouse yet)" : " (jobs there: "
                    + String.join(", ", jobs) + ")");
        }
        return "history --job " + req.job() + ": no rows in " + where
                + (req.from() == null ? "" : " from " + req.from()) + (req.to() == null ? "" : " to " + req.to())
                + (req.estimator() == null ? "" : " with --estimator " + req.estimator() + " (estimators of this job: "
                + String.join(", ", estimators(spark, req)) + ")");
    }

    private static List<String> estimators(SparkSession spark, Request req) {
        return HistoryTable.series(spark, req.namespace(), req.job(), null, null, null).stream()
                .map(r -> r.getString(r.fieldIndex("estimator"))).distinct().sorted().toList();
    }

    private static String key(LocalDate d, String run, String est) {
        return d + "\u0000" + run + "\u0000" + est;
    }

    private static Double num(Row r, String col) {
        int i = r.fieldIndex(col);
        return r.isNullAt(i) ? null : r.getDouble(i);
    }

    private static Double nan(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static String f4(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.1f", v) : String.valueOf(v);
    }

    private static void put(ObjectNode o, String field, Double v) {
        if (v == null || v.isNaN() || v.isInfinite()) {
            o.putNull(field);
        } else {
            o.put(field, v);
        }
    }

    private static void putDate(ObjectNode o, String field, LocalDate d) {
        if (d == null) {
            o.putNull(field);
        } else {
            o.put(field, d.toString());
        }
    }
}
