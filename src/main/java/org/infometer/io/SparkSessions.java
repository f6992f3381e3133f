package org.infometer.io;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the job's SparkSession. Under {@code spark-submit} the master and settings come from the submit command
 * and the profile; in embedded mode (no master set) a {@code local[*]} session is started with the same Iceberg
 * extensions.
 */
public final class SparkSessions {

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
        SparkSession spark = b.getOrCreate();
        spark.sparkContext().setLogLevel(System.getProperty("infometer.logLevel", "WARN"));
        return spark;
    }
}
