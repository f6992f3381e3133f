package org.infometer.io;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedStorageTest {

    @Test
    void aFilePathExecutorsOnOtherHostsCannotSeeIsRefusedNamingThem() {
        String msg = SharedStorage.verdict("warehouse", "file:/data/wh", "10.0.0.1", List.of(
                new SharedStorage.Probe("0", "10.0.0.2", false), new SharedStorage.Probe("1", "10.0.0.1", true)));
        assertTrue(msg.contains("file:/data/wh") && msg.contains("executor 0 on 10.0.0.2")
                && !msg.contains("executor 1"), msg);
        assertTrue(msg.contains("multi-host"), msg);
    }

    @Test
    void aPathEveryExecutorSeesIsAccepted() {
        assertNull(SharedStorage.verdict("input", "file:/nfs/x", "h1", List.of(
                new SharedStorage.Probe("0", "h2", true), new SharedStorage.Probe("1", "h3", true))));
    }

    @Test
    void anHdfsUriWithoutAHostIsExplainedUnlessTheDefaultFileSystemNamesOne() {
        Configuration c = new Configuration(false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SharedStorage.checkUri("Warehouse", "hdfs:///warehouse/infometer", c));
        assertTrue(e.getMessage().contains("no NameNode host") && e.getMessage().contains("fs.defaultFS")
                && e.getMessage().contains("hdfs://namenode:8020/warehouse/infometer"), e.getMessage());
        c.set("fs.defaultFS", "hdfs://nn1:8020");
        assertDoesNotThrow(() -> SharedStorage.checkUri("Warehouse", "hdfs:///warehouse/infometer", c));
        assertDoesNotThrow(() -> SharedStorage.checkUri("Warehouse", "hdfs://nn:8020/w", new Configuration(false)));
    }
}
