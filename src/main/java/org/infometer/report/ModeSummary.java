package org.infometer.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.infometer.estimate.Blas;
import org.infometer.failure.ExitCode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;

/**
 * summary.json of a mode that has no job file with an {@code output.summaryDir} (generate, correlate, pid-columns,
 * validate, coverage, bench, report, import, history, demo): the same header fields as the MI job's
 * {@link SummaryJson}, so one reader handles every mode's outcome.
 */
public final class ModeSummary {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModeSummary() {
    }

    /** {@code <base>/infometer-out/<mode>/<date>/summary.json}, the place used when no {@code --summary} is given. */
    public static Path defaultPath(Path base, String mode, String date) {
        return base.resolve("infometer-out").resolve(mode).resolve(date).resolve("summary.json").toAbsolutePath();
    }

    /** Writes the summary; {@code error} null means the mode succeeded. */
    public static Path write(Path file, String mode, List<String> args, Throwable error, double seconds) {
        return write(file, mode, args, error, seconds, null);
    }

    /** As {@link #write(Path, String, List, Throwable, double)}, with the mode's own block under its name. */
    public static Path write(Path file, String mode, List<String> args, Throwable error, double seconds,
                             ObjectNode extra) {
        return write(file, mode, args, error, seconds, extra, null);
    }

    /**
     * As above, with the {@link SubmissionMeta} fields (job, run date, tool version, config and its hash) of a mode
     * that loaded a job file, in the same form as the MI job's summary.
     */
    public static Path write(Path file, String mode, List<String> args, Throwable error, double seconds,
                             ObjectNode extra, ObjectNode meta) {
        ObjectNode root = JSON.createObjectNode();
        root.put("mode", mode);
        if (meta != null) {
            root.setAll(meta);
        }
        root.put("status", error == null ? "succeeded" : "failed");
        root.put("exit_code", error == null ? ExitCode.OK.code() : ExitCode.of(error).code());
        root.put("tool_version", ToolVersion.get());
        SummaryJson.putSteps(root);
        root.put("profile", System.getProperty("infometer.profile", "embedded"));
        root.put("blas", Blas.describe());
        root.put("written_at", Instant.now().toString());
        root.put("elapsed_seconds", seconds);
        PeakMemory.snapshot().putJson(root);
        args.forEach(root.putArray("args")::add);
        if (extra != null && error == null) {
            root.set(mode, extra);
        }
        if (error != null) {
            root.put("error", String.valueOf(error.getMessage()));
            root.put("error_type", error.getClass().getName());
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writeValue(tmp.toFile(), root);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write summary " + file, e);
        }
        return file;
    }
}
