package org.infometer.correlate.nuscenes;

import org.infometer.failure.ExitCode;
import org.infometer.failure.JobFailure;

/**
 * A malformed input file. The message names the file, where in it (sample token, box, field path), what was
 * expected and what was found, so that the file can be fixed without a debugger.
 */
public class InputFormatException extends JobFailure {

    private final String file;
    private final String field;

    public InputFormatException(String file, String field, String problem) {
        this(file, field, problem, null);
    }

    public InputFormatException(String file, String field, String problem, Throwable cause) {
        super(ExitCode.BAD_INPUT, file + ": " + (field == null || field.isEmpty() ? "" : "field '" + field + "': ") + problem, cause);
        this.file = file;
        this.field = field;
    }

    public String file() {
        return file;
    }

    /** Dotted path of the offending field, e.g. {@code label_aps.car.2.0}; empty for file-level problems. */
    public String field() {
        return field;
    }
}
