package org.infometer.failure;

/** The process exit codes of every mode, as {@code --help} lists them. */
public enum ExitCode {
    OK(0, "success"),
    FAILED(1, "any other failure"),
    USAGE(2, "usage or configuration error"),
    BAD_INPUT(3, "bad input (the message names the file, column or row)");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }

    /**
     * The exit code of a failure: its own when it is a {@link JobFailure}, {@link #USAGE} for an
     * {@link IllegalArgumentException} thrown on the driver, else the first {@link JobFailure} on its cause chain
     * (executor-side failures arrive wrapped in Spark's exceptions), else {@link #FAILED}.
     */
    public static ExitCode of(Throwable failure) {
        if (failure instanceof JobFailure f) {
            return f.exitCode();
        }
        if (failure instanceof IllegalArgumentException) {
            return USAGE;
        }
        for (Throwable t = failure.getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JobFailure f) {
                return f.exitCode();
            }
        }
        return FAILED;
    }

    /** One line per code, for {@code --help}. */
    public static String describe() {
        StringBuilder b = new StringBuilder("exit codes:");
        for (ExitCode c : values()) {
            b.append(String.format("%n  %d  %s", c.code, c.meaning));
        }
        return b.toString();
    }
}
