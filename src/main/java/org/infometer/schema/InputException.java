package org.infometer.schema;

/** Input that breaks the features contract; the message names the file, column or row and what was expected. */
public class InputException extends RuntimeException {

    public InputException(String message) {
        super(message);
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
