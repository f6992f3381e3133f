package org.infometer.io;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.Locale;

/**
 * Builds the job's SparkSession. Under {@code spark-submit} the master and settings come from the submit command
 * and the profile; in embedded mode (no master set) a {@code local[*]} session is started with the same Iceberg
 * extensions.
 *
 * <p>On a cluster the session is returned only once an executor has registered: a standalone master whose workers
 * cannot offer the requested cores or memory would otherwise keep the job waiting forever ("Initial job has not
 * accepted any resources"). The wait is {@value #EXECUTOR_TIMEOUT} seconds (default {@value #DEFAULT_TIMEOUT_S}).
 */
public final class SparkSessions {

    /** Seconds to wait for the first executor; 0 waits forever. */
    public static final String EXECUTOR_TIMEOUT = "spark.infometer.executorTimeout";
    static final int DEFAULT_TIMEOUT_S = 120;
    /** The local file system's class in embedded runs, unless set: {@link NioLocalFileSystem}. */
    public static final String LOCAL_FS_KEY = "spark.hadoop.fs.file.impl";

    private SparkSessions() {
    }

    public static SparkSession create(String appName) {
        SparkConf conf = new SparkConf();
        SparkSession.Builder b = SparkSession.builder().appName(appName)
                .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
                .config("spark.sql.session.timeZone", "UTC");
        if (!conf.contains("spark.master")) {
            b.master("local[*]")
                    .config("spark.ui.showConsoleProgress", "true")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1");
        }
        String localFs = localFileSystem(conf);
        if (localFs != null) {
            b.config(LOCAL_FS_KEY, localFs);
        }
        SparkSession spark = b.getOrCreate();
        spark.sparkContext().setLogLevel(System.getProperty("infometer.logLevel", "WARN"));
        awaitExecutors(spark);
        return spark;
    }

    /**
     * The local file system class to configure: {@link NioLocalFileSystem} for an embedded run (no master, or a
     * {@code local} one) unless {@value #LOCAL_FS_KEY} is set; null (Hadoop's own) on a cluster, whose executors
     * may create file systems before the application jar is on their class path.
     */
    static String localFileSystem(SparkConf conf) {
        boolean embedded = conf.get("spark.master", "local").startsWith("local");
        return embedded && !conf.contains(LOCAL_FS_KEY) ? NioLocalFileSystem.class.getName() : null;
    }

    /** Waits for the first executor or fails, naming what was asked for, and stops the session. */
    static void awaitExecutors(SparkSession spark) {
        if (spark.sparkContext().master().startsWith("local")) {
            return;
        }
        SparkConf c = spark.sparkContext().getConf();
        int timeout;
        try {
            timeout = Integer.parseInt(c.get(EXECUTOR_TIMEOUT, String.valueOf(DEFAULT_TIMEOUT_S)).replace("s", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(EXECUTOR_TIMEOUT + " must be a number of seconds, got "
                    + c.get(EXECUTOR_TIMEOUT));
        }
        long deadline = System.nanoTime() + timeout * 1_000_000_000L;
        while (SharedStorage.executors(spark) == 0) {
            if (timeout > 0 && System.nanoTime() > deadline) {
                String msg = String.format(Locale.ROOT, "No executor registered within %d s (%s) at master %s. "
                                + "The job asks for executors of spark.executor.cores=%s and spark.executor.memory=%s "
                                + "(plus overhead); a worker must have that many free cores and that much free memory "
                                + "(see the master's web UI, port 8080 by default). Set them to fit your workers, e.g. "
                                + "./submit.sh --conf spark.executor.cores=1 --conf spark.executor.memory=2g ..., or "
                                + "raise %s.", timeout, EXECUTOR_TIMEOUT, spark.sparkContext().master(),
                        c.get("spark.executor.cores", "(default)"), c.get("spark.executor.memory", "1g"),
                        EXECUTOR_TIMEOUT);
                spark.stop();
                throw new ClusterSetupException(msg);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** The cluster cannot run the job as configured (exit code 2, like any configuration error). */
    public static final class ClusterSetupException extends IllegalArgumentException {
        public ClusterSetupException(String message) {
            super(message);
        }
    }
}
