package org.infometer.io;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The input listing: data files only, below partition directories too, and Spark reads exactly those files. */
class FeatureListingTest {

    @TempDir
    Path dir;

    /** Two data files under partition directories, beside markers, checksums and a writer's temporary files. */
    private Path table(SparkSession spark) throws IOException {
        Path root = dir.resolve("features");
        spark.range(3).toDF("v").coalesce(1).write().parquet(root.resolve("run=a").toString());
        spark.range(3, 7).toDF("v").coalesce(1).write().parquet(root.resolve("run=b").toString());
        Path data = firstParquet(root.resolve("run=a"));
        Files.writeString(root.resolve("_SUCCESS"), "");
        Files.copy(data, root.resolve(".part-9.parquet"));
        Files.createDirectories(root.resolve("_temporary/0"));
        Files.copy(data, root.resolve("_temporary/0/part-8.parquet"));
        return root;
    }

    private static Path firstParquet(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
    }

    private static Set<String> names(List<String> files) {
        Set<String> out = new TreeSet<>();
        files.forEach(f -> out.add(new org.apache.hadoop.fs.Path(f).getParent().getName() + "/"
                + new org.apache.hadoop.fs.Path(f).getName()));
        return out;
    }

    @Test
    void listsTheDataFilesBelowPartitionDirectoriesAndSkipsHiddenOnes() throws IOException {
        SparkSession spark = SparkTestSession.get();
        Path root = table(spark);
        List<String> files = FeatureInput.listParquet(spark, root.toString());
        assertEquals(2, files.size(), files.toString());
        Set<String> n = names(files);
        assertTrue(n.stream().anyMatch(s -> s.startsWith("run=a/part-")), n.toString());
        assertTrue(n.stream().anyMatch(s -> s.startsWith("run=b/part-")), n.toString());
        assertEquals(files.stream().sorted().toList(), files);
    }

    @Test
    void sparkReadsExactlyTheListedFilesWithThePartitionColumns() throws IOException {
        SparkSession spark = SparkTestSession.get();
        Path root = table(spark);
        List<String> files = FeatureInput.listParquet(spark, root.toString());
        Dataset<Row> df = FeatureInput.read(spark, root.toString(), files, false);
        assertEquals(names(files), names(List.of(df.inputFiles())));
        assertEquals(7, df.count());
        assertEquals(4, df.filter("run = 'b'").count());
    }

    @Test
    void aFileBeingCopiedIsNotListed() throws IOException {
        SparkSession spark = SparkTestSession.get();
        Path root = table(spark);
        // Spark never reads a name ending in ._COPYING_ (a copy in progress), and neither does the listing.
        Files.copy(firstParquet(root.resolve("run=b")), root.resolve("run=b/part-7.parquet._COPYING_"));
        List<String> files = FeatureInput.listParquet(spark, root.toString());
        assertEquals(2, files.size(), files.toString());
        assertEquals(7, FeatureInput.read(spark, root.toString(), files, false).count());
    }

    @Test
    void whereSparksListingDiffersTheListedFilesAreRead() throws IOException {
        SparkSession spark = SparkTestSession.get();
        Path root = table(spark);
        // Spark lists a directory named _p=1 (a partition directory to it); the listing here skips it as hidden.
        Files.createDirectories(root.resolve("_p=1"));
        Files.copy(firstParquet(root.resolve("run=b")), root.resolve("_p=1/part-6.parquet"));
        List<String> files = FeatureInput.listParquet(spark, root.toString());
        assertEquals(2, files.size(), files.toString());
        Dataset<Row> df = FeatureInput.read(spark, root.toString(), files, false);
        assertEquals(names(files), names(List.of(df.inputFiles())));
        assertEquals(7, df.count());
    }
}
