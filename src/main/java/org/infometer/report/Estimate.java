package org.infometer.report;

import java.io.Serializable;

/** A reported number with its standard error and the count behind it. */
public record Estimate(double value, double se, long n) implements Serializable {

    /** Two-sided interval from the given critical value (normal or Student t). */
    public double low(double critical) {
        return value - critical * se;
    }

    public double high(double critical) {
        return value + critical * se;
    }
}
