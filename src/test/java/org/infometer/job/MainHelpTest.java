package org.infometer.job;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code MODE --help} prints that mode's usage and the exit codes instead of treating --help as an argument. */
class MainHelpTest {

    @Test
    void everyModeHasHelpWithExitCodes() {
        for (String mode : new String[] {"run", "pid", "pid-columns", "correlate", "generate", "demo", "sql",
                "bench", "validate", "coverage", "history", "report", "import"}) {
            String out = capture(() -> assertEquals(0, Main.run(new String[] {mode, "--help"}), mode));
            assertTrue(out.startsWith("usage: submit.sh " + mode), out);
            assertTrue(out.contains("exit codes:") && out.contains("3  bad input"), out);
        }
        String run = capture(() -> Main.run(new String[] {"run", "jobs/x.json", "-h"}));
        assertTrue(run.contains("--set path.to.field=value") && !run.contains("pid-columns"), run);
        String pid = capture(() -> Main.run(new String[] {"pid", "--help"}));
        assertTrue(!pid.contains("--target COL"), "pid must not print pid-columns' line: " + pid);
    }

    private static String capture(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        System.setOut(new PrintStream(b, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
