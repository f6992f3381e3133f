package org.infometer.history;

import java.time.LocalDate;

/** One run's run-level MI on one date (bits per token, with its standard error). */
public record HistoryPoint(LocalDate date, String runId, double mi, double se) {
}
