package org.infometer.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A Spark standalone cluster on 127.0.0.1 for the cluster tests: a master and workers as separate JVMs, started
 * through a SPARK_HOME assembled from the Spark jars this build resolved (target/local-classpath.txt) and the
 * bin/spark-class and bin/spark-submit scripts in src/test/cluster/bin. Nothing is downloaded.
 *
 * <p>Every process it starts is recorded by PID and stopped, with its descendants (the executors a worker forks),
 * by {@link #close()}, which a JVM shutdown hook also runs.
 */
final class StandaloneCluster implements AutoCloseable {

    /** JVM options for every process of the test cluster (see ClusterIT.start). */
    static final String QUICK_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

    final Path repo;
    final Path base;
    final Path sparkHome;
    final int masterPort;
    private final Process master;
    private final Map<Integer, Process> workers = new LinkedHashMap<>();
    private final List<Process> started = new CopyOnWriteArrayList<>();
    private final Thread hook = new Thread(this::stopAll, "cluster-test-cleanup");

    private StandaloneCluster(Path repo, Path base) throws IOException {
        this.repo = repo;
        this.base = base;
        this.sparkHome = assembleSparkHome(repo, base.resolve("spark-home"));
        Runtime.getRuntime().addShutdownHook(hook);
        this.masterPort = freePort();
        master = start(List.of(sparkHome.resolve("bin/spark-class").toString(),
                        "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                        String.valueOf(masterPort), "--webui-port", String.valueOf(freePort())),
                base.resolve("master.log"), base);
        waitForLog(base.resolve("master.log"), s -> s.contains("I have been elected leader"), Duration.ofSeconds(60),
                master);
    }

    /** Starts a master and {@code workers} workers of 1 core and {@code workerMemory} each. */
    static StandaloneCluster start(Path repo, Path base, int workers, String workerMemory) throws IOException {
        StandaloneCluster c = new StandaloneCluster(repo, base);
        try {
            for (int i = 1; i <= workers; i++) {
                c.startWorker(i, workerMemory, false);
            }
            for (int i = 1; i <= workers; i++) {
                c.awaitWorker(i);
            }
        } catch (RuntimeException | IOException e) {
            c.close();
            throw e;
        }
        return c;
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    void startWorker(int i, String memory, boolean await) throws IOException {
        Path log = base.resolve("worker" + i + ".log");
        Files.deleteIfExists(log);
        Process p = start(List.of(sparkHome.resolve("bin/spark-class").toString(),
                        "org.apache.spark.deploy.worker.Worker", masterUrl(), "--host", "127.0.0.1", "--cores", "1",
                        "--memory", memory, "--work-dir", base.resolve("work" + i).toString(),
                        "--webui-port", String.valueOf(freePort())),
                log, base);
        workers.put(i, p);
        if (await) {
            awaitWorker(i);
        }
    }

    void awaitWorker(int i) {
        waitForLog(base.resolve("worker" + i + ".log"), s -> s.contains("Successfully registered with master"),
                Duration.ofSeconds(90), workers.get(i));
    }

    Process worker(int i) {
        return workers.get(i);
    }

    /** The executor JVMs a worker has forked now. */
    List<ProcessHandle> executors(int worker) {
        Process w = workers.get(worker);
        List<ProcessHandle> out = new ArrayList<>();
        if (w == null) {
            return out;
        }
        w.toHandle().descendants().filter(h -> h.info().commandLine().orElse("")
                .contains("CoarseGrainedExecutorBackend")).forEach(out::add);
        return out;
    }

    /** Environment every process of the cluster and every submission gets: loopback only, this SPARK_HOME. */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SPARK_HOME", sparkHome.toString());
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_LOCAL_DIRS", base.resolve("local").toString());
        env.put("SPARK_DAEMON_MEMORY", "512m");
        env.put("SPARK_DAEMON_JAVA_OPTS", QUICK_JVM);
        env.put("INFOMETER_NO_BUILD", "1");
        return env;
    }

    /** Starts a process, logging to {@code log}, recorded for {@link #close()}. */
    Process start(List<String> command, Path log, Path dir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env());
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** Kills a process and its descendants at once (SIGKILL), as a crash would. */
    static void kill9(ProcessHandle h) {
        h.descendants().forEach(ProcessHandle::destroyForcibly);
        h.destroyForcibly();
        h.onExit().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
    }

    static void waitForLog(Path log, Predicate<String> line, Duration timeout, Process owner) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                try {
                    for (String s : Files.readAllLines(log)) {
                        if (line.test(s)) {
                            return;
                        }
                    }
                } catch (IOException | UncheckedIOException e) {
                    // The file is being written; read it again.
                }
            }
            if (owner != null && !owner.isAlive()) {
                throw new IllegalStateException(log + ": the process ended (exit " + owner.exitValue() + "):\n"
                        + tail(log, 40));
            }
            sleep(100);
        }
        throw new IllegalStateException("Timed out waiting in " + log + ":\n" + tail(log, 40));
    }

    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * SPARK_HOME = jars/ (links to the Spark jars this build resolved; not Iceberg or DJL, which the submitted
     * shaded jar carries, as on a real cluster), bin/ (our two scripts) and RELEASE, which tells Spark's launcher
     * that jars/ is a distribution's.
     */
    static Path assembleSparkHome(Path repo, Path home) throws IOException {
        Path cp = repo.resolve("target/local-classpath.txt");
        if (!Files.exists(cp)) {
            throw new IllegalStateException(cp + " is missing: the cluster tests run after 'package' (mvn verify)");
        }
        Path jars = home.resolve("jars");
        Files.createDirectories(jars);
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("conf"));
        for (String entry : Files.readString(cp).trim().split(File.pathSeparator)) {
            Path jar = Path.of(entry);
            if (entry.isBlank() || !entry.endsWith(".jar") || entry.contains("iceberg-spark-runtime")
                    || entry.contains("/ai/djl/")) {
                continue;
            }
            Path link = jars.resolve(jar.getFileName());
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, jar);
            }
        }
        for (String script : List.of("spark-class", "spark-submit")) {
            Path to = home.resolve("bin").resolve(script);
            Files.copy(repo.resolve("src/test/cluster/bin").resolve(script), to, StandardCopyOption.REPLACE_EXISTING);
            to.toFile().setExecutable(true);
        }
        Files.writeString(home.resolve("RELEASE"), "Spark jars of the infometer build, for the cluster tests\n");
        return home;
    }

    /** Stops everything started here: descendants first (executors, drivers' children), then the processes. */
    private void stopAll() {
        List<Process> all = new ArrayList<>(started);
        java.util.Collections.reverse(all);
        for (Process p : all) {
            if (p.isAlive()) {
                List<ProcessHandle> kids = p.toHandle().descendants().toList();
                p.destroy();
                try {
                    if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                }
                kids.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** Descendants still alive of every recorded process (should be none after close). */
    List<Long> leftovers() {
        List<Long> out = new ArrayList<>();
        for (Process p : started) {
            if (p.isAlive()) {
                out.add(p.pid());
            }
            p.toHandle().descendants().filter(ProcessHandle::isAlive).forEach(h -> out.add(h.pid()));
        }
        return out;
    }

    Optional<Process> masterProcess() {
        return Optional.of(master);
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is running this.
        }
    }
}
