package org.infometer.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.io.nativeio.NativeIO;

/**
 * Hadoop's local file system (checksums and all), whose permission changes are system calls instead of processes.
 *
 * <p>Without Hadoop's native library, {@link RawLocalFileSystem#setPermission} runs the {@code chmod} command, and
 * Hadoop calls it for every file it creates and every directory it makes. One quarter-val bench pipeline ran 161
 * of them (each a process started from a JVM with an 8 GB heap: the Iceberg metadata, manifests and checksum
 * files of six staged and switched tables, and the tasks' data files). Here the same permission bits are set with
 * {@link Files#setPosixFilePermissions}, the chmod system call the command makes. Bits NIO cannot set (the sticky
 * bit) still go through Hadoop's own path, as does everything when the native library is loaded.
 *
 * <p>Embedded runs use it ({@link SparkSessions}: {@code spark.hadoop.fs.file.impl}), since there this class is on
 * the JVM's class path from the start; a cluster keeps Hadoop's own.
 */
public final class NioLocalFileSystem extends LocalFileSystem {

    public NioLocalFileSystem() {
        super(new Raw());
    }

    /** The raw (checksum-less) layer, with {@link #setPermission} by NIO. */
    static final class Raw extends RawLocalFileSystem {

        @Override
        public void setPermission(Path p, FsPermission permission) throws IOException {
            short bits = permission.toShort();
            if ((bits & ~0777) != 0 || NativeIO.isAvailable()) {
                super.setPermission(p, permission);
                return;
            }
            Files.setPosixFilePermissions(pathToFile(p).toPath(), posix(bits));
        }
    }

    /** NIO's permissions from the highest of the nine bits (owner read, 0400) to the lowest (others execute). */
    private static final PosixFilePermission[] BIT_ORDER = {
        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE};

    /** The nine permission bits as NIO's set. */
    static Set<PosixFilePermission> posix(int bits) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < BIT_ORDER.length; i++) {
            if ((bits & (0400 >> i)) != 0) {
                set.add(BIT_ORDER[i]);
            }
        }
        return set;
    }
}
