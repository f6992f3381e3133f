package org.infometer.failure;

/**
 * A failure that knows the process exit code it stands for, so the command line maps failures to exit codes in
 * one place ({@link ExitCode#of}) instead of by catching each exception type.
 */
public class JobFailure extends RuntimeException {

    private final ExitCode exitCode;

    public JobFailure(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}
