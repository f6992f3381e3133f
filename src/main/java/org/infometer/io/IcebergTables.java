package org.infometer.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.infometer.schema.TableContract;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;


/**
 * Output tables in an Iceberg catalog (a file-based Hadoop catalog by default, queryable by {@code spark-sql}
 * with no server). Tables are partitioned by {@code run_date} and {@code job_name}; a job replaces its date's rows
 * of all its tables together and leaves every other partition untouched.
 *
 * <p>How the tables of one job change together ({@link #publish}): under the warehouse's commit lock
 * ({@link WarehouseLock}; the Hadoop catalog's own commit is not safe between processes on a local file system),
 * each table's new rows are written as a <em>staged</em> snapshot (Iceberg write-audit-publish: data files written
 * and recorded, the table's current state unchanged). A journal naming the staged snapshots is then written to the
 * warehouse, and each table is switched to its new rows by a metadata-only commit (milliseconds). A driver that dies
 * before the journal exists changed nothing; one that dies after it leaves a journal that the next job on the
 * warehouse completes before it does anything else ({@link #configure}), so the tables end with all of the new rows
 * or none. Each published snapshot carries the journal's id, which makes completion idempotent.
 *
 * <p>Usage: {@link #configure} once per job, then {@link #publish} (or {@link #replace} for one table).
 */
public final class IcebergTables {

    /** Snapshot summary key naming the publish a commit belongs to. */
    static final String PUBLISH_ID = "infometer.publish-id";
    static final String JOURNAL_PREFIX = ".infometer-publish-";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Runs each task in the submitting thread (an executor for Iceberg's metadata-only commits). */
    private static final java.util.concurrent.ExecutorService CALLER_RUNS = new CallerRunsExecutor();
    /** Tests only: fail the publish after this many tables switched, as a driver killed at that point would. */
    static volatile int failAfterSwitches = -1;

    private IcebergTables() {
    }

    /** One table's part of a publish. */
    public record Change(String table, long snapshotId, long rows) {
    }

    /** A publish that stopped partway: which tables have the new rows, which do not yet, and the journal. */
    public static final class PublishException extends IllegalStateException {
        private final List<String> published;
        private final List<String> pending;

        PublishException(String message, List<String> published, List<String> pending, Throwable cause) {
            super(message, cause);
            this.published = List.copyOf(published);
            this.pending = List.copyOf(pending);
        }

        public List<String> published() {
            return published;
        }

        public List<String> pending() {
            return pending;
        }
    }

    /**
     * Registers the catalog and checks the warehouse before any work: a usable URI, writable from the driver,
     * visible from every executor, and no publish left unfinished by an earlier job (completed here). The
     * warehouse path is made absolute so every executor resolves the same place.
     */
    public static synchronized void configure(SparkSession spark, String catalog, String warehouse) {
        register(spark, catalog, warehouse);
        String used = spark.conf().get("spark.sql.catalog." + catalog + ".warehouse");
        SharedStorage.checkWarehouse(spark, used);
        try (WarehouseLock lock = WarehouseLock.acquire(spark, used)) {
            completePending(spark, catalog, used);
        }
    }

    /**
     * Registers the catalog only (for reading). A session-level definition (a profile, {@code --conf}) wins over
     * the job file's warehouse, and a note says so; {@link #use} makes a warehouse win over the session.
     */
    public static synchronized void register(SparkSession spark, String catalog, String warehouse) {
        String prefix = "spark.sql.catalog." + catalog;
        String wanted = resolve(warehouse);
        if (spark.conf().contains(prefix) && spark.conf().contains(prefix + ".warehouse")) {
            String current = spark.conf().get(prefix + ".warehouse");
            if (current.equals(wanted)) {
                return;
            }
            if (!current.equals(REGISTERED.get(catalog))) {
                System.err.println("Note: catalog " + catalog + " uses warehouse " + current + " (" + prefix
                        + ".warehouse in the Spark configuration), not " + wanted
                        + "; --set output.warehouse=... overrides it.");
                return;
            }
            // An earlier job in this JVM registered the catalog with another warehouse. Spark keeps the catalog
            // instance it loaded, so without a reset this job would write into the earlier warehouse (in a test
            // session, into a deleted temporary directory: "Metadata file for version N is missing").
            use(spark, catalog, warehouse);
            return;
        }
        spark.conf().set(prefix, "org.apache.iceberg.spark.SparkCatalog");
        spark.conf().set(prefix + ".type", "hadoop");
        spark.conf().set(prefix + ".warehouse", wanted);
        REGISTERED.put(catalog, wanted);
    }

    /** Makes {@code warehouse} the catalog's, whatever the session defined (an explicit --set output.warehouse). */
    public static synchronized String use(SparkSession spark, String catalog, String warehouse) {
        String prefix = "spark.sql.catalog." + catalog;
        String wanted = resolve(warehouse);
        if (!spark.conf().contains(prefix)) {
            spark.conf().set(prefix, "org.apache.iceberg.spark.SparkCatalog");
            spark.conf().set(prefix + ".type", "hadoop");
        }
        boolean loaded = spark.conf().contains(prefix + ".warehouse");
        spark.conf().set(prefix + ".warehouse", wanted);
        if (loaded) {
            spark.sessionState().catalogManager().reset();
        }
        REGISTERED.put(catalog, wanted);
        return wanted;
    }

    /**
     * The warehouse a job will use: {@code explicit} (from --set) when given, else the session's definition of the
     * catalog (a profile, --conf), else the job file's value.
     */
    public static String effectiveWarehouse(SparkSession spark, String catalog, String jobValue, String explicit) {
        if (explicit != null) {
            return resolve(explicit);
        }
        String key = "spark.sql.catalog." + catalog + ".warehouse";
        if (!spark.conf().contains(key)) {
            return resolve(jobValue);
        }
        String current = spark.conf().get(key);
        // A warehouse an earlier job in this JVM registered is no session-level definition: the job file's wins.
        return current.equals(REGISTERED.get(catalog)) ? resolve(jobValue) : current;
    }

    /** Warehouses this JVM's jobs registered, per catalog name (to tell them from session-level definitions). */
    private static final Map<String, String> REGISTERED = new HashMap<>();

    static String resolve(String warehouse) {
        if (warehouse.contains(":/")) {
            return warehouse;
        }
        // File.toURI ends a directory that exists with '/': one spelling, whether or not it exists yet.
        String uri = new File(warehouse).getAbsoluteFile().toURI().toString();
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }

    /**
     * Schema evolution for tables written by an earlier version: columns the contract has and the table lacks are
     * added (Iceberg adds them as optional; rows written before read NULL there) when every column the table has
     * is in the contract with the same type, so a warehouse survives a release that adds columns. Returns the
     * table's schema after.
     */
    static StructType addMissingColumns(SparkSession spark, String full, StructType contract) {
        StructType existing = spark.table(full).schema();
        List<String> names = List.of(existing.fieldNames());
        List<String> known = List.of(contract.fieldNames());
        if (!known.containsAll(names)) {
            return existing;   // columns we never wrote: not a table of ours, ensure() refuses it
        }
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
        try {
            spark.sql("ALTER TABLE " + full + " ADD COLUMNS (" + String.join(", ", add) + ")");
        } catch (RuntimeException e) {
            // A concurrent job may have added them first; anything else surfaces as ensure()'s schema error.
            return spark.table(full).schema();
        }
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
            try {
                spark.sql("CREATE TABLE IF NOT EXISTS " + full + " (" + schema.toDDL() + ") USING iceberg "
                        + "PARTITIONED BY (run_date, job_name) TBLPROPERTIES ('format-version'='2', "
                        + "'write.wap.enabled'='true')");
            } catch (RuntimeException e) {
                // Another job created it between the check and the create: use that table.
                if (!spark.catalog().tableExists(full)) {
                    throw e;
                }
            }
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

    /**
     * Checks, before any work, that each of {@code tables} that exists already has its contract's schema (the
     * error {@link #ensure} would give only at write time). Missing tables are created when written.
     */
    public static void checkSchemas(SparkSession spark, String catalog, String namespace, List<String> tables) {
        for (String t : tables) {
            if (spark.catalog().tableExists(catalog + "." + namespace + "." + t)) {
                ensure(spark, catalog, namespace, t);
            }
        }
    }

    /** Replaces the rows of (runDate, jobName) in one table ({@link #publish} with one table). */
    public static List<Change> replace(SparkSession spark, String catalog, String namespace, String table,
                                       List<Row> rows, LocalDate runDate, String jobName) {
        return publish(spark, catalog, namespace, Map.of(table, rows), runDate, jobName);
    }

    /**
     * Replaces the rows of (runDate, jobName) in every table of {@code tables} together (see the class comment).
     * Returns what changed, in the map's order. On failure before the first table switched, no table changed; a
     * failure after it throws {@link PublishException}, and the next job on the warehouse completes the publish.
     */
    public static List<Change> publish(SparkSession spark, String catalog, String namespace,
                                       Map<String, List<Row>> tables, LocalDate runDate, String jobName) {
        Map<String, TableRows> rows = new LinkedHashMap<>();
        tables.forEach((name, r) -> rows.put(name, TableRows.local(r)));
        return publishRows(spark, catalog, namespace, rows, runDate, jobName);
    }

    /**
     * A table's new rows: a Dataset (written by the tasks that compute it, in as many files as it has partitions)
     * or a driver-side list of a few rows in the contract's column order (written by the driver, one file).
     */
    public record TableRows(Dataset<Row> frame, List<Row> local) {

        public static TableRows frame(Dataset<Row> rows) {
            return new TableRows(rows, null);
        }

        /**
         * A Dataset of about {@code rowCount} rows, written in as few files as hold them ({@link #ROWS_PER_FILE}
         * each), never more than it has partitions: a run's 1,520 sample rows in one file, not one small file per
         * partition of the scored rows (each file a task and a Parquet writer, 0.1 s apiece on the quarter-val
         * bench, and many small files for every query to open).
         */
        public static TableRows frame(Dataset<Row> rows, long rowCount) {
            long files = Math.max(1, (rowCount + ROWS_PER_FILE - 1) / ROWS_PER_FILE);
            int partitions = rows.rdd().getNumPartitions();
            return new TableRows(files < partitions ? rows.coalesce((int) files) : rows, null);
        }

        /** Rows per data file of a table written by {@link #frame(Dataset, long)}. */
        public static final long ROWS_PER_FILE = 1L << 20;

        public static TableRows local(List<Row> rows) {
            return new TableRows(null, List.copyOf(rows));
        }
    }

    /**
     * As {@link #publish}, for tables given as Datasets (in their contract's schema): each is written by the tasks
     * that compute it, in as many files as it has partitions; the row counts come from the staged snapshots.
     */
    public static List<Change> publishFrames(SparkSession spark, String catalog, String namespace,
                                             Map<String, Dataset<Row>> tables, LocalDate runDate, String jobName) {
        Map<String, TableRows> rows = new LinkedHashMap<>();
        tables.forEach((name, r) -> rows.put(name, TableRows.frame(r)));
        return publishRows(spark, catalog, namespace, rows, runDate, jobName);
    }

    /** As {@link #publish}, for tables given as {@link TableRows}, each written where its rows are. */
    public static List<Change> publishRows(SparkSession spark, String catalog, String namespace,
                                           Map<String, TableRows> tables, LocalDate runDate, String jobName) {
        String warehouse = spark.conf().get("spark.sql.catalog." + catalog + ".warehouse");
        String id = UUID.randomUUID().toString();
        try (WarehouseLock lock = WarehouseLock.acquire(spark, warehouse)) {
            completePending(spark, catalog, warehouse);
            Map<String, Long> staged = new LinkedHashMap<>();
            Map<String, Long> counts = new LinkedHashMap<>();
            for (Map.Entry<String, TableRows> t : tables.entrySet()) {
                ensure(spark, catalog, namespace, t.getKey());
                Snapshot s = stage(spark, catalog, namespace, t.getKey(), t.getValue(), id);
                staged.put(t.getKey(), s.snapshotId());
                counts.put(t.getKey(), Long.parseLong(s.summary().getOrDefault("added-records", "0")));
            }
            Path journal = writeJournal(spark, warehouse, id, namespace, runDate, jobName, staged);
            System.err.println("Publishing " + String.join(", ", staged.keySet()) + " (journal " + journal + ")");
            List<Change> changes = new ArrayList<>();
            List<String> done = new ArrayList<>();
            for (Map.Entry<String, Long> t : staged.entrySet()) {
                try {
                    if (done.size() == failAfterSwitches) {
                        throw new IllegalStateException("injected failure after " + done.size() + " tables");
                    }
                    long snap = switchTo(spark, catalog, namespace, t.getKey(), t.getValue(), runDate, jobName, id);
                    changes.add(new Change(t.getKey(), snap, counts.get(t.getKey())));
                    done.add(t.getKey());
                } catch (RuntimeException e) {
                    List<String> pending = new ArrayList<>(staged.keySet());
                    pending.removeAll(done);
                    throw new PublishException("Publishing stopped at table " + t.getKey() + " (" + e.getMessage()
                            + "). Already holding the new rows: " + (done.isEmpty() ? "none" : String.join(", ", done))
                            + "; still the old: " + String.join(", ", pending) + ". The next job on this warehouse "
                            + "completes the publish from " + journal + ".", done, pending, e);
                }
            }
            deleteQuietly(spark, journal);
            return changes;
        }
    }

    /** Writes the rows as a staged snapshot (not current) and returns it. */
    private static Snapshot stage(SparkSession spark, String catalog, String namespace, String table,
                                  TableRows rows, String id) {
        if (rows.local() != null) {
            Table t = load(spark, catalog + "." + namespace + "." + table);
            if (LocalTableWriter.supports(t)) {
                return stageLocal(t, table, rows.local(), id);
            }
            // Column types the driver does not write: the Spark writer writes them.
            return stage(spark, catalog, namespace, table, spark.createDataFrame(rows.local(),
                    TableContract.load(table).schema()).coalesce(1), id);
        }
        Table t = load(spark, catalog + "." + namespace + "." + table);
        if (LocalTableWriter.supports(t)) {
            return stageFromTasks(t, table, rows.frame(), id);
        }
        return stage(spark, catalog, namespace, table, rows.frame(), id);
    }

    /**
     * A Dataset's rows as a staged snapshot: each task writes its rows' data files ({@link LocalTableWriter}, with
     * a serializable copy of the table) and returns their descriptions; the driver appends them, staged, its
     * manifest work on this thread. Against Spark's Iceberg write this skips the write's planning and its commit on
     * Iceberg's worker pool, which waits for its manifests in 10 ms sleeps (0.4 s of the write step on the
     * quarter-val bench). A retried task's files from a failed attempt are never committed.
     */
    private static Snapshot stageFromTasks(Table t, String table, Dataset<Row> df, String id) {
        StructType schema = contractSchema(table, df);
        Table shipped = org.apache.iceberg.SerializableTable.copyOf(t);
        List<DataFile> files;
        try {
            files = df.toJavaRDD().mapPartitions((java.util.Iterator<Row> rows) -> LocalTableWriter.write(shipped,
                    schema, rows, "task-" + org.apache.spark.TaskContext.getPartitionId()).iterator()).collect();
        } catch (Exception e) {
            // Exception: Spark's SparkException (a failed task) is checked and thrown undeclared.
            throw new IllegalStateException("Writing " + t.name() + " failed before any table was changed: "
                    + e.getMessage(), e);
        }
        return stageFiles(t, files, id);
    }

    /**
     * Driver-side rows as a staged snapshot: data files written from the driver ({@link LocalTableWriter}), then
     * a staged append with the same wap.id a Spark write gives it, its manifest work on this thread.
     */
    private static Snapshot stageLocal(Table t, String table, List<Row> rows, String id) {
        return stageFiles(t, LocalTableWriter.write(t, TableContract.load(table).schema(), rows), id);
    }

    /** The table's contract schema, which {@code df} must have. */
    private static StructType contractSchema(String table, Dataset<Row> df) {
        StructType schema = TableContract.load(table).schema();
        if (!df.schema().equals(schema)) {
            throw new IllegalArgumentException("Rows for " + table + " have schema " + df.schema().simpleString()
                    + "; its contract is " + schema.simpleString());
        }
        return schema;
    }

    /** Uncommitted data files as a staged append with the wap.id a Spark write gives it. */
    private static Snapshot stageFiles(Table t, List<DataFile> files, String id) {
        enableStaging(t);
        org.apache.iceberg.AppendFiles op = t.newAppend();
        files.forEach(op::appendFile);
        op.set(WAP_ID, id).stageOnly().scanManifestsWith(CALLER_RUNS).commit();
        return stagedSnapshot(t, id);
    }

    /** Snapshot summary key of a staged write (Iceberg's write-audit-publish id). */
    private static final String WAP_ID = "wap.id";

    /** Turns on staged writes for a table created before staged publishing; whether it had to. */
    private static boolean enableStaging(Table t) {
        if ("true".equals(t.properties().get("write.wap.enabled"))) {
            return false;
        }
        t.updateProperties().set("write.wap.enabled", "true").commit();
        return true;
    }

    /** The snapshot that staged write {@code id} left in {@code t}. */
    private static Snapshot stagedSnapshot(Table t, String id) {
        t.refresh();
        for (Snapshot s : t.snapshots()) {
            if (id.equals(s.summary().get(WAP_ID))) {
                return s;
            }
        }
        throw new IllegalStateException("Writing " + t.name() + " left no staged snapshot with wap.id " + id);
    }

    /** Writes a Dataset's rows as a staged snapshot through Spark's Iceberg writer. */
    private static Snapshot stage(SparkSession spark, String catalog, String namespace, String table,
                                  Dataset<Row> df, String id) {
        StructType schema = contractSchema(table, df);
        String full = catalog + "." + namespace + "." + table;
        Table t = load(spark, full);
        if (enableStaging(t)) {
            spark.sql("REFRESH TABLE " + full);
        }
        String before = spark.conf().getOption("spark.wap.id").getOrElse(() -> null);
        spark.conf().set("spark.wap.id", id);
        try {
            // All rows belong to one table partition (run date, job): each task writes its own rows, with no
            // shuffle that would funnel them into one writer (Iceberg's default hash distribution does). Staged as
            // an append: the switch replaces the partition's rows, so the staged snapshot need not delete them, and
            // an append commit skips the manifest filtering and merging an overwrite waits for on Iceberg's worker
            // pool (10 ms polling sleeps each, 0.36 s of the write step on the quarter-val bench).
            df.writeTo(full).option("distribution-mode", "none").append();
        } catch (Exception e) {
            throw new IllegalStateException("Writing " + full + " failed before any table was changed: "
                    + e.getMessage(), e);
        } finally {
            if (before == null) {
                spark.conf().unset("spark.wap.id");
            } else {
                spark.conf().set("spark.wap.id", before);
            }
        }
        return stagedSnapshot(t, id);
    }

    /**
     * Makes the staged snapshot's rows the partition's rows: a metadata-only overwrite of (runDate, jobName) with
     * the staged data files, on top of whatever is current (other partitions stay as they are). Idempotent.
     */
    private static long switchTo(SparkSession spark, String catalog, String namespace, String table, long stagedId,
                                 LocalDate runDate, String jobName, String id) {
        String full = catalog + "." + namespace + "." + table;
        Table t = load(spark, full);
        Snapshot done = publishedSnapshot(t, id);
        if (done != null) {
            return done.snapshotId();
        }
        Snapshot staged = t.snapshot(stagedId);
        if (staged == null) {
            throw new IllegalStateException("staged snapshot " + stagedId + " of " + full + " no longer exists");
        }
        OverwriteFiles op = t.newOverwrite().overwriteByRowFilter(Expressions.and(
                Expressions.equal("run_date", runDate.toString()), Expressions.equal("job_name", jobName)));
        for (DataFile f : staged.addedDataFiles(t.io())) {
            op.addFile(f);
        }
        // The commit's manifest work runs on this thread: on Iceberg's worker pool each of its parallel steps
        // waits for the pool in 10 ms sleeps, a few of them per commit, for manifests that take microseconds.
        op.scanManifestsWith(CALLER_RUNS).set(PUBLISH_ID, id).commit();
        spark.sql("REFRESH TABLE " + full);
        return t.currentSnapshot().snapshotId();
    }

    /** The snapshot in the table's current history that publish {@code id} committed, or null. */
    private static Snapshot publishedSnapshot(Table t, String id) {
        t.refresh();
        for (Snapshot s = t.currentSnapshot(); s != null;
             s = s.parentId() == null ? null : t.snapshot(s.parentId())) {
            if (id.equals(s.summary().get(PUBLISH_ID))) {
                return s;
            }
        }
        return null;
    }

    private static boolean published(Table t, String id) {
        return publishedSnapshot(t, id) != null;
    }

    private static Table load(SparkSession spark, String full) {
        try {
            return Spark3Util.loadIcebergTable(spark, full);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot load table " + full + ": " + e.getMessage(), e);
        }
    }

    private static Path writeJournal(SparkSession spark, String warehouse, String id, String namespace,
                                     LocalDate runDate, String jobName, Map<String, Long> staged) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", id).put("namespace", namespace).put("run_date", runDate.toString()).put("job_name", jobName);
        ObjectNode t = root.putObject("tables");
        staged.forEach(t::put);
        Path journal = new Path(warehouse, JOURNAL_PREFIX + id + ".json");
        Path tmp = new Path(warehouse, "_" + JOURNAL_PREFIX + id + ".tmp");
        try {
            FileSystem fs = journal.getFileSystem(conf(spark));
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                out.write(JSON.writeValueAsBytes(root));
                out.hsync();
            }
            if (!fs.rename(tmp, journal)) {
                throw new IOException("rename " + tmp + " -> " + journal + " failed");
            }
            return journal;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot write the publish journal " + journal
                    + " (no table was changed): " + e.getMessage(), e);
        }
    }

    /** Completes every publish an earlier job left unfinished in this warehouse. Caller holds the lock. */
    static List<String> completePending(SparkSession spark, String catalog, String warehouse) {
        List<String> completed = new ArrayList<>();
        Path root = new Path(warehouse);
        try {
            FileSystem fs = root.getFileSystem(conf(spark));
            if (!fs.exists(root)) {
                return completed;
            }
            for (FileStatus st : fs.listStatus(root, p -> p.getName().startsWith(JOURNAL_PREFIX)
                    && p.getName().endsWith(".json"))) {
                JsonNode j;
                try (FSDataInputStream in = fs.open(st.getPath())) {
                    j = JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                String ns = j.get("namespace").asText();
                LocalDate date = LocalDate.parse(j.get("run_date").asText());
                String job = j.get("job_name").asText();
                String id = j.get("id").asText();
                List<String> switched = new ArrayList<>();
                List<String> already = new ArrayList<>();
                j.get("tables").fields().forEachRemaining(e -> {
                    String full = catalog + "." + ns + "." + e.getKey();
                    (published(load(spark, full), id) ? already : switched).add(e.getKey());
                    switchTo(spark, catalog, ns, e.getKey(), e.getValue().asLong(), date, job, id);
                });
                fs.delete(st.getPath(), false);
                String line = "completed an interrupted publish of job " + job + " (" + date + "): switched "
                        + (switched.isEmpty() ? "none" : String.join(", ", switched)) + "; already switched "
                        + (already.isEmpty() ? "none" : String.join(", ", already));
                System.err.println("Note: " + line);
                completed.add(line);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read publish journals in " + warehouse + ": " + e.getMessage(), e);
        }
        return completed;
    }

    private static void deleteQuietly(SparkSession spark, Path p) {
        try {
            p.getFileSystem(conf(spark)).delete(p, false);
        } catch (IOException e) {
            System.err.println("Note: could not delete the finished publish journal " + p + ": " + e.getMessage()
                    + " (completing it again changes nothing)");
        }
    }

    static Configuration conf(SparkSession spark) {
        return spark.sparkContext().hadoopConfiguration();
    }

    /**
     * One sentence for a failed job's console: which tables changed. A failure before publishing changed no
     * table's rows.
     */
    public static String changeReport(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof PublishException p) {
                return "Tables with the new rows: " + (p.published().isEmpty() ? "none"
                        : String.join(", ", p.published())) + "; pending (completed by the next job on this "
                        + "warehouse): " + String.join(", ", p.pending()) + ".";
            }
        }
        return "No table's rows were changed.";
    }

    /** The tables that hold the new rows after a failure (empty unless publishing stopped partway). */
    public static List<String> changedTables(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof PublishException p) {
                return p.published();
            }
        }
        return List.of();
    }
}
