package org.infometer.failure;

import org.infometer.correlate.nuscenes.InputFormatException;
import org.infometer.schema.InputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExitCodeTest {

    @Test
    void failuresCarryTheirExitCodes() {
        assertEquals(3, ExitCode.of(new InputException("bad row")).code());
        assertEquals(3, ExitCode.of(new InputFormatException("f.json", "score", "not a number")).code());
        assertEquals(2, ExitCode.of(new IllegalArgumentException("bad option")).code());
        assertEquals(1, ExitCode.of(new IllegalStateException("bug")).code());
    }

    @Test
    void executorSideInputFailuresAreFoundInsideTheirWrappers() {
        Exception wrapped = new Exception("Job aborted", new RuntimeException("task failed",
                new InputException("row 7: NaN")));
        assertEquals(ExitCode.BAD_INPUT, ExitCode.of(wrapped));
        assertEquals(ExitCode.USAGE, ExitCode.of(new IllegalArgumentException("config",
                new InputException("inner"))), "a driver-side usage error keeps its own code");
    }

    @Test
    void helpListsEveryCode() {
        String d = ExitCode.describe();
        for (ExitCode c : ExitCode.values()) {
            assertTrue(d.contains(c.code() + "  " + c.meaning()), d);
        }
    }
}
