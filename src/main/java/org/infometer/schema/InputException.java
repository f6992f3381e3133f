package org.infometer.schema;

import org.infometer.failure.ExitCode;
import org.infometer.failure.JobFailure;

/** Input that breaks the features contract; the message names the file, column or row and what was expected. */
public class InputException extends JobFailure {

    public InputException(String message) {
        super(ExitCode.BAD_INPUT, message, null);
    }

    public InputException(String message, Throwable cause) {
        super(ExitCode.BAD_INPUT, message, cause);
    }
}
