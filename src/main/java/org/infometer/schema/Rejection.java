package org.infometer.schema;

import java.io.Serializable;

/** Why one input row was quarantined: a stable code for filtering, the column, and a sentence for people. */
public record Rejection(String code, String column, String reason) implements Serializable {
}
