package org.infometer.job;

import java.util.List;
import java.util.Map;

/** What a PID run produced: the table rows and the rows it could not count, by reason. */
public record PidOutcome(List<PidAnalysis.PidRow> rows, Map<String, Long> rejectedByReason) {
}
