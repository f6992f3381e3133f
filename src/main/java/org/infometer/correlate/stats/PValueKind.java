package org.infometer.correlate.stats;

/** How a p-value was obtained; stored in the {@code p_value_kind} column. */
public enum PValueKind {
    /** All n! permutations enumerated. */
    EXACT("exact"),
    /** Seeded random permutations, p = (b + 1) / (B + 1). */
    MONTE_CARLO("monte-carlo"),
    /** No p-value: the coefficient itself is undefined. */
    UNDEFINED("undefined");

    private final String id;

    PValueKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
