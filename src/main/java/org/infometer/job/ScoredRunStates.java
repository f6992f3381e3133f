package org.infometer.job;

import org.apache.spark.api.java.function.Function;
import org.infometer.estimate.ScoredRow;
import org.infometer.report.RunReduction;
import org.infometer.report.SampleResult;
import org.infometer.report.state.GroupKey;
import org.infometer.report.state.Mergeable;
import org.infometer.report.state.Pass;
import org.infometer.report.state.PassRunner;
import org.infometer.report.state.RunStates;
import org.infometer.spark.ScoredSamples;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The run and scene reductions of the persisted scored rows: {@link RunStates}' passes run on the executors as
 * {@link ScoredSamples#mergedStates} passes, so no run's samples are ever held together and only merged states
 * reach the driver. Here, not in {@code spark} or {@code report}, because it joins the two (report depends on
 * spark through the estimators).
 */
public final class ScoredRunStates implements PassRunner {

    private final ScoredSamples scored;
    private final Function<ScoredRow, SampleResult> toSample;

    private ScoredRunStates(ScoredSamples scored, Function<ScoredRow, SampleResult> toSample) {
        this.scored = scored;
        this.toSample = toSample;
    }

    /** Per run id (sorted), its outcome; the same bit for bit for any partitioning and order of the rows. */
    public static Map<String, RunReduction.Outcome> reduce(ScoredSamples scored,
                                                          Function<ScoredRow, SampleResult> toSample,
                                                          RunReduction.Params params) {
        return RunStates.reduce(new ScoredRunStates(scored, toSample), params);
    }

    @Override
    public <S extends Mergeable<S>> SortedMap<GroupKey, S> run(Pass<S> pass) {
        return new TreeMap<>(scored.mergedStates(toSample, new OnExecutors<>(pass)));
    }

    /** A {@link Pass} as the keyed pass {@link ScoredSamples#mergedStates} runs. */
    private record OnExecutors<S extends Mergeable<S>>(Pass<S> pass)
            implements ScoredSamples.KeyedPass<SampleResult, GroupKey, S> {

        @Override
        public void add(Map<GroupKey, S> states, SampleResult sample) {
            pass.add(states, sample);
        }

        @Override
        public S merge(S a, S b) {
            return a.merge(b);
        }
    }
}
