package org.infometer.io;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One writer at a time per warehouse. Iceberg's Hadoop catalog commits by renaming a new metadata file into place
 * after checking that no other writer took that version; on a local or NFS file system two processes can pass the
 * check together and one commit silently replaces the other. Every commit of this job therefore happens under a
 * lock file in the warehouse root, created exclusively ({@code O_EXCL} for file:, {@code create(overwrite=false)},
 * which HDFS makes atomic, otherwise). The holder touches the file every {@value #HEARTBEAT_S} s; a lock not touched
 * for {@value #STALE} seconds (default {@value #STALE_S}) belongs to a dead process and is taken over.
 *
 * <p>Usage: {@code try (WarehouseLock l = WarehouseLock.acquire(spark, warehouse)) { ... }}.
 */
final class WarehouseLock implements AutoCloseable {

    static final String NAME = ".infometer-commit.lock";
    static final int HEARTBEAT_S = 3;
    static final int STALE_S = 20;
    /** Seconds without a heartbeat after which a lock is taken over; well above any pause of a live holder. */
    static final String STALE = "spark.infometer.lockStaleSeconds";
    /** How long to wait for another job's commit (seconds); see README. */
    static final String WAIT = "spark.infometer.lockWaitSeconds";

    private final FileSystem fs;
    private final Path path;
    private final java.nio.file.Path local;
    private final ScheduledExecutorService heartbeat;

    private WarehouseLock(FileSystem fs, Path path, java.nio.file.Path local) {
        this.fs = fs;
        this.path = path;
        this.local = local;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "infometer-warehouse-lock");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleAtFixedRate(this::touch, HEARTBEAT_S, HEARTBEAT_S, TimeUnit.SECONDS);
    }

    static WarehouseLock acquire(SparkSession spark, String warehouse) {
        Path path = new Path(warehouse, NAME);
        long waitS = Long.parseLong(spark.sparkContext().getConf().get(WAIT, "600"));
        long staleS = Math.max(2L * HEARTBEAT_S,
                Long.parseLong(spark.sparkContext().getConf().get(STALE, String.valueOf(STALE_S))));
        long deadline = System.nanoTime() + waitS * 1_000_000_000L;
        String owner = ownerLine();
        boolean noted = false;
        try {
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            fs.mkdirs(path.getParent());
            java.nio.file.Path local = "file".equals(fs.getScheme()) || "file".equals(path.toUri().getScheme())
                    ? new File(URI.create(fs.makeQualified(path).toString())).toPath() : null;
            while (true) {
                if (tryCreate(fs, path, local, owner)) {
                    return new WarehouseLock(fs, path, local);
                }
                if (breakIfStale(fs, path, local, staleS)) {
                    continue;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Another job holds the warehouse commit lock " + path + " ("
                            + read(fs, path) + ") for more than " + waitS + " s (" + WAIT + "); no table was "
                            + "changed");
                }
                if (!noted) {
                    System.err.println("Note: waiting for another job's commit to " + warehouse + " ("
                            + read(fs, path) + ")");
                    noted = true;
                }
                Thread.sleep(200);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot take the warehouse commit lock " + path + ": " + e.getMessage(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String ownerLine() {
        return ManagementFactory.getRuntimeMXBean().getName() + " " + UUID.randomUUID();
    }

    private static boolean tryCreate(FileSystem fs, Path path, java.nio.file.Path local, String owner)
            throws IOException {
        byte[] content = owner.getBytes(StandardCharsets.UTF_8);
        if (local != null) {
            try {
                Files.write(local, content, java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            }
        }
        try (FSDataOutputStream out = fs.create(path, false)) {
            out.write(content);
            return true;
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            if (fs.exists(path)) {
                return false;
            }
            throw e;
        }
    }

    /** Takes over a lock whose holder stopped touching it: renamed aside first, so only one taker wins. */
    private static boolean breakIfStale(FileSystem fs, Path path, java.nio.file.Path local, long staleS)
            throws IOException {
        long age;
        try {
            FileStatus st = fs.getFileStatus(path);
            age = System.currentTimeMillis() - st.getModificationTime();
        } catch (java.io.FileNotFoundException e) {
            return false;
        }
        if (age < staleS * 1000L) {
            return false;
        }
        String holder = read(fs, path);
        Path aside = new Path(path.getParent(), NAME + ".stale-" + UUID.randomUUID());
        if (local != null) {
            try {
                Files.move(local, local.resolveSibling(aside.getName()), StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
                return false;
            }
        } else if (!fs.rename(path, aside)) {
            return false;
        }
        if (!read(fs, aside).equals(holder)) {
            // Another job took the stale lock over and made a fresh one between our look and our move: give it back.
            if (local != null) {
                Files.move(local.resolveSibling(aside.getName()), local, StandardCopyOption.ATOMIC_MOVE);
            } else {
                fs.rename(aside, path);
            }
            return false;
        }
        System.err.println("Note: took over the warehouse commit lock of a job that stopped (" + holder + ", "
                + age / 1000 + " s without a heartbeat)");
        fs.delete(aside, false);
        return true;
    }

    private static String read(FileSystem fs, Path path) {
        try (var in = fs.open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    private void touch() {
        try {
            if (local != null) {
                Files.setLastModifiedTime(local, FileTime.fromMillis(System.currentTimeMillis()));
            } else {
                fs.setTimes(path, System.currentTimeMillis(), -1);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("Note: warehouse lock heartbeat failed: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            fs.delete(path, false);
        } catch (IOException e) {
            System.err.println("Note: could not remove the warehouse commit lock " + path + ": " + e.getMessage()
                    + "; another job takes it over once it is stale (" + STALE + ")");
        }
    }
}
