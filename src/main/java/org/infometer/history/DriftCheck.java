package org.infometer.history;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares each run's MI on a date with the mean of its previous {@code n} dates. The baseline's SE is that of a
 * mean of independent nightly estimates, sqrt(sum se_i^2) / n, and the difference's SE adds the date's own in
 * quadrature: z = (mi - baseline) / SE. An alert is |z| above the threshold.
 */
public final class DriftCheck {

    public static final String OK = "ok";
    public static final String ALERT = "alert";
    public static final String INSUFFICIENT = "insufficient_history";

    private DriftCheck() {
    }

    /** One run's comparison; {@code previousDates} are the dates used (fewer than n: insufficient history). */
    public record RunDrift(String runId, double mi, double baseline, double difference, double se, double z,
                           List<LocalDate> previousDates, String status, String message) {
    }

    public record Result(LocalDate date, int previousDatesWanted, double zThreshold, String status,
                         List<RunDrift> runs) {
    }

    public static Result check(List<HistoryPoint> history, LocalDate date, int n, double zThreshold) {
        if (n < 1) {
            throw new IllegalArgumentException("drift.previousDates must be at least 1, got " + n);
        }
        Map<String, Map<LocalDate, HistoryPoint>> byRun = new TreeMap<>();
        for (HistoryPoint p : history) {
            byRun.computeIfAbsent(p.runId(), k -> new TreeMap<>()).put(p.date(), p);
        }
        List<RunDrift> runs = new ArrayList<>();
        for (Map.Entry<String, Map<LocalDate, HistoryPoint>> e : byRun.entrySet()) {
            HistoryPoint now = e.getValue().get(date);
            if (now == null) {
                continue;
            }
            TreeSet<LocalDate> earlier = new TreeSet<>(e.getValue().keySet()).headSet(date, false).descendingSet()
                    .stream().limit(n).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
            if (earlier.size() < n) {
                runs.add(new RunDrift(e.getKey(), now.mi(), Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                        List.copyOf(earlier), INSUFFICIENT, String.format(Locale.ROOT,
                        "run %s has %d of the %d previous dates drift.previousDates asks for; no comparison",
                        e.getKey(), earlier.size(), n)));
                continue;
            }
            double sum = 0;
            double var = 0;
            for (LocalDate d : earlier) {
                HistoryPoint p = e.getValue().get(d);
                sum += p.mi();
                var += p.se() * p.se();
            }
            double baseline = sum / n;
            double se = Math.sqrt(var / ((double) n * n) + now.se() * now.se());
            double diff = now.mi() - baseline;
            double z = se > 0 ? diff / se : (diff == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, diff));
            boolean alert = Math.abs(z) > zThreshold;
            runs.add(new RunDrift(e.getKey(), now.mi(), baseline, diff, se, z, List.copyOf(earlier),
                    alert ? ALERT : OK, String.format(Locale.ROOT,
                    "run %s: MI %.4f vs %.4f over the previous %d dates, difference %+.4f (SE %.4f), z = %.2f%s",
                    e.getKey(), now.mi(), baseline, n, diff, se, z,
                    alert ? " beyond the threshold " + zThreshold + ": ALERT" : "")));
        }
        String status = runs.stream().anyMatch(r -> r.status().equals(ALERT)) ? ALERT
                : runs.isEmpty() || runs.stream().anyMatch(r -> r.status().equals(INSUFFICIENT)) ? INSUFFICIENT : OK;
        return new Result(date, n, zThreshold, status, runs);
    }

    /**
     * The check of every date in {@code history} against its own previous {@code n} dates (the nightly check as it
     * would have run on each date), by date.
     */
    public static Map<LocalDate, Result> everyDate(List<HistoryPoint> history, int n, double zThreshold) {
        Map<LocalDate, Result> out = new TreeMap<>();
        for (LocalDate d : new TreeSet<>(history.stream().map(HistoryPoint::date).toList())) {
            out.put(d, check(history, d, n, zThreshold));
        }
        return out;
    }
}
