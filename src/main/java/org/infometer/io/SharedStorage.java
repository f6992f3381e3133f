package org.infometer.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkExecutorInfo;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * Checks, before any work, that a path the job reads or writes is on storage that the driver and every executor
 * see alike. A {@code file:} path names a directory on each machine separately: on a one-host cluster that is one
 * directory, on a multi-host cluster it is several unrelated ones (the driver would list input the executors cannot
 * read, and commit table metadata pointing at data files left on executors' disks). The check is empirical: the
 * driver looks at (or creates) a file and executors report whether they see the same file.
 *
 * <p>Usage: {@link #checkWarehouse} and {@link #checkInput}; both do nothing in local mode.
 */
public final class SharedStorage {

    private SharedStorage() {
    }

    /** What one executor saw. */
    public record Probe(String executorId, String host, boolean seen) implements Serializable {
    }

    /** An hdfs:/// URI names no NameNode; it works only when fs.defaultFS supplies one. */
    public static void checkUri(String what, String uri, Configuration hadoop) {
        URI u;
        try {
            u = new URI(uri);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(what + " " + uri + " is not a valid URI: " + e.getMessage());
        }
        if ("hdfs".equals(u.getScheme()) && (u.getAuthority() == null || u.getAuthority().isEmpty())) {
            String defaultFs = hadoop.get("fs.defaultFS", "file:///");
            if (!defaultFs.startsWith("hdfs://") || URI.create(defaultFs).getAuthority() == null) {
                throw new IllegalArgumentException(what + " " + uri + " has no NameNode host (hdfs:/// takes it "
                        + "from fs.defaultFS, which is " + defaultFs + " here). Name it in the URI, e.g. "
                        + "hdfs://namenode:8020" + u.getPath() + ", or set spark.hadoop.fs.defaultFS=hdfs://"
                        + "namenode:8020 in the profile or with --conf");
            }
        }
    }

    static boolean isLocalFile(String uri, Configuration hadoop) {
        URI u = URI.create(uri.replace(" ", "%20"));
        String scheme = u.getScheme();
        if (scheme == null) {
            scheme = URI.create(hadoop.get("fs.defaultFS", "file:///")).getScheme();
        }
        return scheme == null || scheme.equals("file");
    }

    static boolean localMaster(SparkSession spark) {
        return spark.sparkContext().master().startsWith("local");
    }

    /**
     * The warehouse must be visible from every executor as the same directory: the driver writes a fresh marker
     * file there and each executor must find it.
     */
    public static void checkWarehouse(SparkSession spark, String warehouse) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        checkUri("Warehouse", warehouse, hadoop);
        Path marker = new Path(warehouse, ".infometer-probe-" + UUID.randomUUID());
        FileSystem fs;
        try {
            fs = marker.getFileSystem(hadoop);
            fs.mkdirs(marker.getParent());
            fs.create(marker, false).close();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("Warehouse " + warehouse + " is not writable from the driver ("
                    + e.getMessage() + "); nothing was computed. Set a writable one with --set output.warehouse=...",
                    e);
        }
        try {
            if (localMaster(spark) || !isLocalFile(warehouse, hadoop)) {
                return;
            }
            String local = new File(URI.create(fs.makeQualified(marker).toString())).getPath();
            List<Probe> probes = probe(spark, local, -1);
            String refusal = verdict("warehouse", warehouse, driverHost(spark), probes);
            if (refusal != null) {
                throw new IllegalArgumentException(refusal + " Set a shared warehouse: --set output.warehouse="
                        + "hdfs://namenode:8020/warehouse/infometer (or s3a://..., or a directory mounted on "
                        + "every node), or spark.sql.catalog.im.warehouse in the profile.");
            }
        } finally {
            try {
                fs.delete(marker, false);
            } catch (IOException e) {
                System.err.println("Note: could not delete " + marker + ": " + e.getMessage());
            }
        }
    }

    /** Every executor must see the input's first data file with the length the driver sees. */
    public static void checkInput(SparkSession spark, String path, List<String> files) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        if (localMaster(spark) || files.isEmpty() || !isLocalFile(files.get(0), hadoop)) {
            return;
        }
        String first = new File(URI.create(files.get(0))).getPath();
        List<Probe> probes = probe(spark, first, new File(first).length());
        String refusal = verdict("input", path, driverHost(spark), probes);
        if (refusal != null) {
            throw new IllegalArgumentException(refusal + " Put the features table on storage every node reads "
                    + "(hdfs://namenode:8020/..., s3a://..., or a directory mounted on every node) and set "
                    + "input.features to it.");
        }
    }

    static String driverHost(SparkSession spark) {
        return spark.sparkContext().getConf().get("spark.driver.host", "?");
    }

    /**
     * Null when every executor saw the file; otherwise a sentence naming the executors and hosts that did not.
     * A file: path seen from other hosts is accepted: it is then a shared mount.
     */
    public static String verdict(String what, String uri, String driverHost, List<Probe> probes) {
        List<String> missing = new ArrayList<>();
        for (Probe p : probes) {
            if (!p.seen()) {
                missing.add("executor " + p.executorId() + " on " + p.host());
            }
        }
        if (missing.isEmpty()) {
            return null;
        }
        return String.format(Locale.ROOT, "The %s %s is a local path (file:) that the driver on %s sees but %s "
                        + "cannot: on a multi-host cluster each machine has its own file: tree, so the driver and "
                        + "executors would not share the %s.", what, uri, driverHost, String.join(", ", missing),
                what);
    }

    /** Runs small tasks until each registered executor has reported, or a few rounds have passed. */
    static List<Probe> probe(SparkSession spark, String localPath, long expectedLength) {
        int executors = Math.max(1, spark.sparkContext().statusTracker().getExecutorInfos().length - 1);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        jsc.setJobDescription("infometer: shared-storage check");
        Map<String, Probe> byExecutor = new TreeMap<>();
        for (int round = 0; round < 3 && byExecutor.size() < executors; round++) {
            int tasks = executors * 4;
            List<Probe> got = jsc.parallelize(IntStream.range(0, tasks).boxed().toList(), tasks).map(i -> {
                // A short pause lets every executor take some of the tasks.
                Thread.sleep(100);
                File f = new File(localPath);
                boolean seen = f.exists() && (expectedLength < 0 || f.length() == expectedLength);
                return new Probe(SparkEnv.get().executorId(), java.net.InetAddress.getLocalHost().getHostName()
                        + " (" + hostOf(SparkEnv.get()) + ")", seen);
            }).collect();
            got.forEach(p -> byExecutor.merge(p.executorId(), p, (a, b) -> a.seen() ? b : a));
        }
        jsc.setJobDescription(null);
        return new ArrayList<>(byExecutor.values());
    }

    private static String hostOf(SparkEnv env) {
        return env.blockManager().blockManagerId().host();
    }

    /** Executors registered with the driver now (the driver's own entry excluded). */
    public static int executors(SparkSession spark) {
        SparkExecutorInfo[] infos = spark.sparkContext().statusTracker().getExecutorInfos();
        return Math.max(0, infos.length - 1);
    }
}
