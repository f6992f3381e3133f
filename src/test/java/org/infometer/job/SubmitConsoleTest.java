package org.infometer.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code ./submit.sh} prints in embedded mode: none of the JVM's or Spark's start-up notices, but every
 * real error. Runs the script itself, from a copy that uses this build's classes and dependencies, so the
 * script does not try to rebuild the project.
 */
class SubmitConsoleTest {

    private static final String INCUBATOR_NOTICE = "WARNING: Using incubator modules: jdk.incubator.vector";

    private static final Path REPO = Path.of("").toAbsolutePath();

    @Test
    void embeddedRunShowsTheErrorAndNoStartupNotices(@TempDir Path sandbox) throws Exception {
        Path script = sandboxWithThisBuild(sandbox);
        Result r = run(sandbox, List.of("bash", script.toString(), "sql", "SELECT * FROM no_such_table"), 300);

        assertNotEquals(0, r.exitCode, "a failed query must fail the command; stderr:\n" + r.stderr);
        assertTrue(r.stderr.contains("TABLE_OR_VIEW_NOT_FOUND"), "the real error must still print:\n" + r.stderr);
        assertFalse(r.stderr.contains("incubator modules"), r.stderr);
        assertFalse(r.stderr.contains("resolves to a loopback address"), r.stderr);
        assertFalse(r.stderr.contains("SPARK_LOCAL_IP"), r.stderr);
    }

    @Test
    void netlibsNativeProbesDoNotReachTheConsole(@TempDir Path sandbox) throws Exception {
        Path script = sandboxWithThisBuild(sandbox);
        Result r = run(sandbox, List.of("bash", script.toString(), "validate", "--list"), 300);

        assertEquals(0, r.exitCode, r.stderr);
        assertTrue(r.stdout.contains("independent-256v256"), r.stdout);
        assertFalse(r.stderr.contains("Failed to load implementation"), r.stderr);
        assertFalse(r.stderr.contains("InstanceBuilder"), r.stderr);
    }

    @Test
    void embeddedDriverOptionsReachTheJvm(@TempDir Path sandbox) throws Exception {
        // Embedded, the driver is the JVM submit.sh starts: its extraJavaOptions must be options of that JVM.
        Path script = sandboxWithThisBuild(sandbox);
        Result r = run(sandbox, List.of("bash", script.toString(), "--conf",
                "spark.driver.extraJavaOptions=-XX:+PrintCommandLineFlags -Dinfometer.test=1", "sql", "SELECT 1"), 300);
        assertEquals(0, r.exitCode, r.stderr);
        assertTrue(r.stdout.contains("-XX:+PrintCommandLineFlags"), "JVM flags were not applied:\n" + r.stdout);
    }

    @Test
    void stderrFilterDropsOnlyAFirstLineThatIsTheNotice(@TempDir Path dir) throws Exception {
        assertEquals("real\n", filter(dir, INCUBATOR_NOTICE + "\nreal\n"));
        assertEquals("first\n" + INCUBATOR_NOTICE + "\n", filter(dir, "first\n" + INCUBATOR_NOTICE + "\n"));
        assertEquals("WARNING: something else\n", filter(dir, "WARNING: something else\n"));
        assertEquals("no newline", filter(dir, "no newline"));
        assertEquals("", filter(dir, ""));
        assertEquals("\r[Stage 0:>   (0 + 1) / 1]", filter(dir, INCUBATOR_NOTICE + "\n\r[Stage 0:>   (0 + 1) / 1]"));
    }

    /** The filter function as submit.sh defines it, applied to {@code input}. */
    private static String filter(Path dir, String input) throws Exception {
        Path in = dir.resolve("in.txt");
        Files.writeString(in, input, StandardCharsets.UTF_8);
        String submit = REPO.resolve("submit.sh").toString();
        String cmd = "eval \"$(sed -n '/^ *drop_incubator_notice() {/,/^ *}$/p' '" + submit + "')\"; "
                + "drop_incubator_notice < '" + in + "'";
        Result r = run(dir, List.of("bash", "-c", cmd), 30);
        assertEquals(0, r.exitCode, r.stderr);
        return r.stdout;
    }

    /**
     * submit.sh and conf/ copied into {@code sandbox}, with a target/local-classpath.txt naming this build's
     * classes and the test class path's jars: the script's staleness check finds no sources there.
     */
    private static Path sandboxWithThisBuild(Path sandbox) throws IOException {
        Path classes = REPO.resolve("target/classes");
        assumeTrue(Files.isRegularFile(REPO.resolve("submit.sh")) && Files.isDirectory(classes),
                "needs the repository's submit.sh and a compiled target/classes");
        Path script = sandbox.resolve("submit.sh");
        Files.copy(REPO.resolve("submit.sh"), script);
        Path conf = Files.createDirectories(sandbox.resolve("conf"));
        try (Stream<Path> files = Files.list(REPO.resolve("conf"))) {
            for (Path f : files.collect(Collectors.toList())) {
                Files.copy(f, conf.resolve(f.getFileName()));
            }
        }
        Path target = Files.createDirectories(sandbox.resolve("target"));
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // The sandbox has no target/classes of its own: the script's entry for it is ignored, this one is used.
        List<String> deps = new ArrayList<>(List.of(classes.toString()));
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.endsWith(".jar")) {
                deps.add(entry);
            }
        }
        Files.writeString(target.resolve("local-classpath.txt"), String.join(File.pathSeparator, deps));
        return script;
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }

    private static Result run(Path dir, List<String> command, long timeoutSeconds) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("SPARK_LOCAL_IP");
        pb.environment().remove("SPARK_MASTER");
        pb.environment().remove("INFOMETER_PROFILE");
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        // The stderr filter may still be draining for a moment after the JVM exits.
        Thread.sleep(200);
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
