package org.infometer.report.state;

import java.util.SortedMap;

/**
 * Runs a {@link Pass} over all scored samples, partition by partition, and returns the states merged per key.
 * Because every state merges exactly, the result does not depend on how the samples are split or ordered.
 */
public interface PassRunner {

    <S extends Mergeable<S>> SortedMap<GroupKey, S> run(Pass<S> pass);
}
