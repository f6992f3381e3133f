package org.infometer.progress;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** Timestamped progress lines on stderr, so a nightly log shows where a run is and how long each step took. */
public final class Progress {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private final PrintStream out;
    private final Instant start = Instant.now();
    private Instant stepStart = start;
    private String step;
    private final java.util.Map<String, Double> seconds = new java.util.LinkedHashMap<>();

    /**
     * The most recently started Progress of this process. Modes create theirs deep inside their jobs; the summary
     * writers read step times from here instead of every job signature carrying its Progress out.
     */
    private static volatile Progress latest;

    public Progress(PrintStream out) {
        this.out = out;
        latest = this;
    }

    /** The Progress created last in this process, or null when none has been since {@link #forgetLatest()}. */
    public static Progress latest() {
        return latest;
    }

    /** Called before a mode starts, so its summary never shows an earlier mode's steps. */
    public static void forgetLatest() {
        latest = null;
    }

    public static Progress stderr() {
        return new Progress(System.err);
    }

    public void step(String what) {
        finish();
        step = what;
        stepStart = Instant.now();
        out.println("[infometer " + LocalTime.now().format(TIME) + "] " + what + " ...");
    }

    public void info(String what) {
        out.println("[infometer " + LocalTime.now().format(TIME) + "]   " + what);
    }

    public void finish() {
        if (step != null) {
            double s = Duration.between(stepStart, Instant.now()).toMillis() / 1000.0;
            seconds.merge(step, s, Double::sum);
            out.printf("[infometer %s]   done in %.1f s%n", LocalTime.now().format(TIME), s);
            step = null;
        }
    }

    /** Seconds spent in each finished step, in the order the steps ran. */
    public java.util.Map<String, Double> stepSeconds() {
        return java.util.Collections.unmodifiableMap(seconds);
    }

    /** {@link #stepSeconds()} plus the step still running, for a summary written before the last step ends. */
    public java.util.Map<String, Double> stepSecondsSoFar() {
        java.util.Map<String, Double> m = new java.util.LinkedHashMap<>(seconds);
        if (step != null) {
            m.merge(step, Duration.between(stepStart, Instant.now()).toMillis() / 1000.0, Double::sum);
        }
        return m;
    }

    public double elapsedSeconds() {
        return Duration.between(start, Instant.now()).toMillis() / 1000.0;
    }
}
