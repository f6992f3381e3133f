package org.infometer.correlate.stats;

/** The three association measures reported for every (x, y) pair, with the symbol used in summaries. */
public enum CorrelationMethod {
    PEARSON("pearson", "r"),
    SPEARMAN("spearman", "rho"),
    KENDALL_TAU_B("kendall_tau_b", "tau_b");

    private final String id;
    private final String symbol;

    CorrelationMethod(String id, String symbol) {
        this.id = id;
        this.symbol = symbol;
    }

    /** Value of the {@code method} column. */
    public String id() {
        return id;
    }

    public String symbol() {
        return symbol;
    }

    /** Rank methods can be described as "perfect rank agreement"; Pearson cannot. */
    public boolean rankBased() {
        return this != PEARSON;
    }

    public static CorrelationMethod fromId(String id) {
        for (CorrelationMethod m : values()) {
            if (m.id.equals(id)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown correlation method '" + id + "'");
    }
}
