package org.infometer.job;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.util.UUID;

/**
 * Checks, before any data is read, that the catalog's warehouse can be written: otherwise a run would compute
 * everything and only then fail on the first table write, as an "other failure" with a storage stack trace.
 * Refusal is a configuration error (exit code 2), naming the warehouse and why.
 */
final class WarehouseProbe {

    private WarehouseProbe() {
    }

    /**
     * Probes the warehouse the catalog will really use (a session-level definition, e.g. from a cluster profile,
     * wins over the job file's {@code output.warehouse}); catalogs without a warehouse location are not probed.
     */
    static void check(SparkSession spark, String catalog, String field) {
        String warehouse = spark.conf().getOption("spark.sql.catalog." + catalog + ".warehouse").getOrElse(() -> null);
        if (warehouse == null || warehouse.isBlank()) {
            return;
        }
        Path root = new Path(warehouse);
        String why;
        try {
            FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (fs.exists(root) && !fs.getFileStatus(root).isDirectory()) {
                why = "it is a file, not a directory";
            } else if (!fs.mkdirs(root)) {
                why = "the directory cannot be created";
            } else {
                Path probe = new Path(root, ".infometer-write-probe-" + UUID.randomUUID());
                try (FSDataOutputStream out = fs.create(probe, false)) {
                    out.write(1);
                }
                fs.delete(probe, false);
                return;
            }
        } catch (IOException | RuntimeException e) {
            why = e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).split("\n")[0];
        }
        throw new IllegalArgumentException("The warehouse " + warehouse + " of catalog " + catalog + " (" + field
                + " or the Spark profile's spark.sql.catalog." + catalog + ".warehouse) is not writable: " + why
                + ". Nothing was computed and no table was changed.");
    }
}
