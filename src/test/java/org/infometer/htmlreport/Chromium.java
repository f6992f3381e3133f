package org.infometer.htmlreport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A real headless Chromium (the Debian package {@code chromium}); CI installs it, a missing one fails the test. */
final class Chromium {

    private Chromium() {
    }

    static String binary() {
        for (String c : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                if (Files.isExecutable(Path.of(dir, c))) {
                    return Path.of(dir, c).toString();
                }
            }
        }
        fail("Chromium is not installed: the HTML report is tested in a real headless browser. Install it "
                + "(Debian/Ubuntu: apt-get install -y chromium; .ci/run does this) and rerun.");
        return null;
    }

    /** Runs Chromium headless on {@code page} with extra flags; returns its stderr (browser log). */
    static String run(Path page, Path work, String... flags) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(binary(), "--headless", "--disable-gpu", "--no-sandbox",
                "--hide-scrollbars", "--enable-logging=stderr", "--v=0", "--user-data-dir=" + work.resolve("profile")));
        cmd.addAll(List.of(flags));
        cmd.add(page.toUri().toString());
        Path err = work.resolve("chromium-" + System.nanoTime() + ".log");
        Path out = work.resolve("chromium-" + System.nanoTime() + ".out");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "Chromium did not finish within 90 s: " + cmd);
        return Files.readString(err, StandardCharsets.UTF_8) + "\n" + Files.readString(out, StandardCharsets.UTF_8);
    }
}
