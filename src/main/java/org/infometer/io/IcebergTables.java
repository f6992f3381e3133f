package org.infometer.io;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.infometer.schema.TableContract;

import java.io.File;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * Output tables in an Iceberg catalog (a file-based Hadoop catalog by default, queryable by {@code spark-sql}
 * with no server). Tables are partitioned by {@code run_date} and {@code job_name}; writing a run replaces that
 * date's rows of that job in one atomic snapshot per table, and leaves every other partition untouched.
 *
 * <p>Usage: {@link #configure} once per session, {@link #ensure} each table, then {@link #replace}.
 */
public final class IcebergTables {

    private IcebergTables() {
    }

    /** Registers the catalog; the warehouse path is made absolute so every executor resolves the same place. */
    public static synchronized void configure(SparkSession spark, String catalog, String warehouse) {
        String prefix = "spark.sql.catalog." + catalog;
        String wanted = resolve(warehouse);
        if (spark.conf().contains(prefix) && spark.conf().contains(prefix + ".warehouse")) {
            String current = spark.conf().get(prefix + ".warehouse");
            if (current.equals(wanted)) {
                return;
            }
            if (!current.equals(REGISTERED.get(catalog))) {
                // A session-level catalog definition (e.g. from a cluster profile) wins over the job file.
                return;
            }
            // An earlier job in this JVM registered the catalog with another warehouse. Spark keeps the catalog
            // instance it loaded, so without a reset this job would write into the earlier warehouse (in a test
            // session, into a deleted temporary directory: "Metadata file for version N is missing").
            spark.conf().set(prefix + ".warehouse", wanted);
            spark.sessionState().catalogManager().reset();
            REGISTERED.put(catalog, wanted);
            return;
        }
        spark.conf().set(prefix, "org.apache.iceberg.spark.SparkCatalog");
        spark.conf().set(prefix + ".type", "hadoop");
        spark.conf().set(prefix + ".warehouse", wanted);
        REGISTERED.put(catalog, wanted);
    }

    /** Warehouses this JVM's jobs registered, per catalog name (to tell them from session-level definitions). */
    private static final java.util.Map<String, String> REGISTERED = new java.util.HashMap<>();

    static String resolve(String warehouse) {
        return warehouse.contains("://") ? warehouse : new File(warehouse).getAbsoluteFile().toURI().toString();
    }

    /**
     * Schema evolution for tables written by an earlier version: columns the contract has and the table lacks are
     * added (Iceberg adds them as optional; rows written before read NULL there) when every column the table has
     * keeps its type, so a warehouse survives a release that adds columns. Returns the table's schema after.
     */
    static StructType addMissingColumns(SparkSession spark, String full, StructType contract) {
        StructType existing = spark.table(full).schema();
        List<String> names = List.of(existing.fieldNames());
        List<String> add = new ArrayList<>();
        for (StructField f : contract.fields()) {
            if (names.contains(f.name())) {
                if (!existing.apply(f.name()).dataType().equals(f.dataType())) {
                    return existing;   // a changed type is not evolution: ensure() refuses it
                }
            } else {
                add.add(f.name() + " " + f.dataType().sql());
            }
        }
        if (add.isEmpty()) {
            return existing;
        }
        spark.sql("ALTER TABLE " + full + " ADD COLUMNS (" + String.join(", ", add) + ")");
        org.slf4j.LoggerFactory.getLogger(IcebergTables.class).warn("Table {}: added column(s) {} of the current "
                + "contract (rows written before read NULL there)", full, add);
        return spark.table(full).schema();
    }

    /** Creates the table from its contract if missing; refuses to write into a table with another schema. */
    public static void ensure(SparkSession spark, String catalog, String namespace, String table) {
        StructType schema = TableContract.load(table).schema();
        String full = catalog + "." + namespace + "." + table;
        spark.sql("CREATE NAMESPACE IF NOT EXISTS " + catalog + "." + namespace);
        if (!spark.catalog().tableExists(full)) {
            spark.sql("CREATE TABLE " + full + " (" + schema.toDDL() + ") USING iceberg "
                    + "PARTITIONED BY (run_date, job_name) TBLPROPERTIES ('format-version'='2')");
            return;
        }
        StructType existing = addMissingColumns(spark, full, schema);
        List<String> diffs = new ArrayList<>();
        for (StructField f : schema.fields()) {
            if (!List.of(existing.fieldNames()).contains(f.name())) {
                diffs.add("missing column " + f.name());
            } else if (!existing.apply(f.name()).dataType().equals(f.dataType())) {
                diffs.add(f.name() + " is " + existing.apply(f.name()).dataType().sql() + " not "
                        + f.dataType().sql());
            }
        }
        if (!diffs.isEmpty()) {
            throw new IllegalStateException("Table " + full + " exists with a different schema than "
                    + "data-schemas/" + table + ".ddl: " + String.join("; ", diffs)
                    + ". Migrate it (ALTER TABLE) or write to another namespace (--set output.namespace=...)");
        }
    }

    /** Atomically replaces the rows of (runDate, jobName) in the table with {@code rows}. */
    public static void replace(SparkSession spark, String catalog, String namespace, String table,
                               List<Row> rows, LocalDate runDate, String jobName) {
        StructType schema = TableContract.load(table).schema();
        String full = catalog + "." + namespace + "." + table;
        Dataset<Row> df = spark.createDataFrame(rows, schema).coalesce(1);
        try {
            df.writeTo(full).overwrite(col("run_date").equalTo(lit(Date.valueOf(runDate)))
                    .and(col("job_name").equalTo(lit(jobName))));
        } catch (Exception e) {
            throw new IllegalStateException("Writing " + full + " failed; its earlier snapshot is unchanged: "
                    + e.getMessage(), e);
        }
    }
}
