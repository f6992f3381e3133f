package org.infometer.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files, directories and permissions made through {@link NioLocalFileSystem} are those Hadoop's own local file
 * system makes: same bits, same checksum files, same contents.
 */
class NioLocalFileSystemTest {

    @TempDir
    java.nio.file.Path dir;

    @Test
    void createsWhatHadoopsLocalFileSystemCreates() throws IOException {
        Configuration conf = new Configuration(false);
        try (FileSystem nio = newInstance(NioLocalFileSystem.class, conf);
             FileSystem hadoop = newInstance(LocalFileSystem.class, conf)) {
            for (FileSystem fs : new FileSystem[] {nio, hadoop}) {
                String name = fs instanceof NioLocalFileSystem ? "nio" : "hadoop";
                Path sub = new Path(dir.toUri().toString(), name + "/a/b");
                assertTrue(fs.mkdirs(sub));
                try (FSDataOutputStream out = fs.create(new Path(sub, "data.txt"), false)) {
                    out.write("rows".getBytes(StandardCharsets.UTF_8));
                }
                fs.mkdirs(new Path(sub, "private"), new FsPermission((short) 0700));
                try (FSDataOutputStream out = fs.create(new Path(sub, "shared.txt"))) {
                    out.write(1);
                }
                fs.setPermission(new Path(sub, "shared.txt"), new FsPermission((short) 0640));
                // The sticky bit is not NIO's to set: Hadoop's own path sets it.
                fs.mkdirs(new Path(sub, "sticky"), new FsPermission((short) 01777));
            }
            for (String rel : new String[] {"a", "a/b", "a/b/data.txt", "a/b/.data.txt.crc", "a/b/private",
                                            "a/b/shared.txt", "a/b/.shared.txt.crc", "a/b/sticky"}) {
                java.nio.file.Path n = dir.resolve("nio").resolve(rel);
                java.nio.file.Path h = dir.resolve("hadoop").resolve(rel);
                assertEquals(Files.getPosixFilePermissions(h), Files.getPosixFilePermissions(n), rel);
                assertEquals(Files.isDirectory(h), Files.isDirectory(n), rel);
            }
            assertEquals("rw-r-----", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir.resolve("nio/a/b/shared.txt"))));
            assertEquals("rwx------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir.resolve("nio/a/b/private"))));
            assertEquals(nio.getFileStatus(new Path(dir.toUri().toString(), "hadoop/a/b/sticky")).getPermission(),
                    nio.getFileStatus(new Path(dir.toUri().toString(), "nio/a/b/sticky")).getPermission());
            try (FSDataInputStream in = nio.open(new Path(dir.toUri().toString(), "hadoop/a/b/data.txt"))) {
                assertEquals("rows", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void permissionBitsMapOneToOne() {
        for (int bits = 0; bits < 512; bits++) {
            Set<PosixFilePermission> set = NioLocalFileSystem.posix(bits);
            String expected = new FsPermission((short) bits).toString();
            assertEquals(expected, PosixFilePermissions.toString(set), Integer.toOctalString(bits));
        }
    }

    @Test
    void embeddedRunsUseItUnlessTheUserChoseOneAndClustersNever() {
        assertEquals(NioLocalFileSystem.class.getName(), SparkSessions.localFileSystem(new SparkConf(false)));
        assertEquals(NioLocalFileSystem.class.getName(),
                SparkSessions.localFileSystem(new SparkConf(false).set("spark.master", "local[*]")));
        assertNull(SparkSessions.localFileSystem(new SparkConf(false).set("spark.master", "spark://h:7077")));
        assertNull(SparkSessions.localFileSystem(new SparkConf(false).set("spark.master", "yarn")));
        assertNull(SparkSessions.localFileSystem(new SparkConf(false)
                .set(SparkSessions.LOCAL_FS_KEY, LocalFileSystem.class.getName())));
    }

    private static FileSystem newInstance(Class<? extends FileSystem> type, Configuration base) throws IOException {
        Configuration conf = new Configuration(base);
        conf.set("fs.file.impl", type.getName());
        conf.setBoolean("fs.file.impl.disable.cache", true);
        FileSystem fs = FileSystem.get(URI.create("file:///"), conf);
        assertEquals(type, fs.getClass());
        return fs;
    }
}
