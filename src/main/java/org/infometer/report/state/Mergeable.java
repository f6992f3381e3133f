package org.infometer.report.state;

/** A state that takes in another of its kind: associative and commutative, exactly (not up to rounding). */
public interface Mergeable<S> {

    /** This state with {@code other} merged in (may modify and return this). */
    S merge(S other);
}
