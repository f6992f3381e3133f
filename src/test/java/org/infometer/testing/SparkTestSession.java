package org.infometer.testing;

import org.apache.spark.sql.SparkSession;
import org.infometer.io.NioLocalFileSystem;
import org.infometer.io.SparkSessions;

/**
 * One embedded {@code local[2]} SparkSession shared by every test class in the forked test JVM:
 * starting Spark costs seconds, so tests reuse it and never stop it (the JVM exit does).
 */
public final class SparkTestSession {

    private static SparkSession spark;

    private SparkTestSession() {
    }

    public static synchronized SparkSession get() {
        if (spark == null) {
            spark = SparkSession.builder()
                    .appName("infometer-tests")
                    .master("local[2]")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.default.parallelism", "4")
                    .config("spark.sql.session.timeZone", "UTC")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    // As embedded runs have it (SparkSessions): the tests write through the same file system.
                    .config(SparkSessions.LOCAL_FS_KEY, NioLocalFileSystem.class.getName())
                    .getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
        }
        return spark;
    }
}
