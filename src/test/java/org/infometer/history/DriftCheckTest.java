package org.infometer.history;

import org.infometer.config.JobConfig;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DriftCheckTest {

    static final LocalDate D0 = LocalDate.of(2026, 11, 1);

    /** {@code days} nightly points of two runs, MI {@code mi} and SE {@code se}; the last date gets {@code last}. */
    static List<HistoryPoint> nights(int days, double mi, double se, double last) {
        List<HistoryPoint> h = new ArrayList<>();
        for (int d = 0; d < days; d++) {
            for (String run : List.of("scheme_1", "scheme_2")) {
                h.add(new HistoryPoint(D0.plusDays(d), run, d == days - 1 ? last : mi, se));
            }
        }
        return h;
    }

    @Test
    void constantHistoryGivesZeroAndNoAlert() {
        DriftCheck.Result r = DriftCheck.check(nights(8, 0.42, 0.01, 0.42), D0.plusDays(7), 7, 3.0);
        assertEquals(DriftCheck.OK, r.status());
        assertEquals(2, r.runs().size());
        for (DriftCheck.RunDrift d : r.runs()) {
            assertEquals(0.0, d.z(), 1e-12);
            assertEquals(0.42, d.baseline(), 1e-15);
            // SE of the difference: sqrt(7 * 0.01^2 / 49 + 0.01^2)
            assertEquals(Math.sqrt(1e-4 / 7 + 1e-4), d.se(), 1e-15);
            assertEquals(7, d.previousDates().size());
        }
    }

    @Test
    void shiftedDateAlertsWithTheClosedFormZ() {
        DriftCheck.Result r = DriftCheck.check(nights(8, 0.42, 0.01, 0.52), D0.plusDays(7), 7, 3.0);
        assertEquals(DriftCheck.ALERT, r.status());
        double se = Math.sqrt(1e-4 / 7 + 1e-4);
        for (DriftCheck.RunDrift d : r.runs()) {
            assertEquals(DriftCheck.ALERT, d.status());
            assertEquals(0.10, d.difference(), 1e-12);
            assertEquals(0.10 / se, d.z(), 1e-9);
            assertTrue(d.message().contains("ALERT"), d.message());
        }
        // a shift inside the threshold is no alert
        assertEquals(DriftCheck.OK, DriftCheck.check(nights(8, 0.42, 0.01, 0.43), D0.plusDays(7), 7, 3.0).status());
    }

    @Test
    void onlyThePreviousNDatesCount() {
        List<HistoryPoint> h = nights(8, 0.42, 0.01, 0.42);
        h.add(0, new HistoryPoint(D0.minusDays(30), "scheme_1", 9.0, 0.01));
        h.add(new HistoryPoint(D0.plusDays(20), "scheme_1", 9.0, 0.01));
        DriftCheck.Result r = DriftCheck.check(h, D0.plusDays(7), 3, 3.0);
        assertEquals(DriftCheck.OK, r.status());
        assertEquals(List.of(D0.plusDays(4), D0.plusDays(5), D0.plusDays(6)), r.runs().get(0).previousDates());
    }

    @Test
    void fewerPreviousDatesThanAskedSaysSo() {
        DriftCheck.Result r = DriftCheck.check(nights(3, 0.42, 0.01, 0.9), D0.plusDays(2), 7, 3.0);
        assertEquals(DriftCheck.INSUFFICIENT, r.status());
        DriftCheck.RunDrift d = r.runs().get(0);
        assertTrue(Double.isNaN(d.z()));
        assertEquals("run scheme_1 has 2 of the 7 previous dates drift.previousDates asks for; no comparison",
                d.message());
    }

    @Test
    void badWindowIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> DriftCheck.check(List.of(), D0, 0, 3.0));
    }

    @Test
    void jobFileDriftFieldsHaveDefaultsAndAreValidated(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path job = java.nio.file.Files.writeString(dir.resolve("j.json"),
                "{\"name\": \"j\", \"input\": {\"features\": \"f\"}}");
        org.infometer.config.JobConfig cfg = org.infometer.config.JobConfig.load(job, List.of(), D0);
        assertEquals(new org.infometer.config.JobConfig.Drift(7, 3.0), cfg.drift());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> org.infometer.config.JobConfig.load(job, List.of("drift.previousDates=0"), D0));
        assertTrue(e.getMessage().endsWith("j.json: Invalid job config: drift.previousDates must be between 1 and 365, "
                + "got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> org.infometer.config.JobConfig.load(job, List.of("drift.zThreshold=-1"), D0));
        assertTrue(e.getMessage().contains("drift.zThreshold must be a positive number, got -1.0"), e.getMessage());
    }
}
