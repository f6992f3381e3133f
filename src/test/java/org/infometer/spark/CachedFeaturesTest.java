package org.infometer.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kept feature rows: passes read copies of the input rows from memory, and read the input again after close. */
class CachedFeaturesTest {

    @Test
    void passesReadTheKeptCopiesUntilClosed() {
        SparkSession spark = SparkTestSession.get();
        Dataset<Row> features = spark.range(0, 1000, 1, 4).selectExpr("id", "array(cast(id as float), 1.5f) AS v");
        List<String> direct = values(features.queryExecution().toRdd().toJavaRDD());
        JavaRDD<InternalRow> kept;
        try (CachedFeatures cache = CachedFeatures.keep(features)) {
            kept = ShardPass.internalRows(features);
            assertSame(kept, ShardPass.internalRows(features), "every pass reads the same kept rows");
            assertEquals(new CachedFeatures.Held(0, 4, 0), cache.held(), "nothing is kept before the first pass");
            assertEquals(direct, values(kept), "the kept rows are copies of the input's (not one reused row)");
            CachedFeatures.Held held = cache.held();
            assertEquals(4, held.partitionsKept());
            assertEquals(4, held.partitions());
            assertTrue(held.memoryBytes() > 0);
            assertEquals(direct, values(ShardPass.internalRows(features)), "read again from memory");
        }
        assertNotSame(kept, ShardPass.internalRows(features), "after close, passes read the input");
        assertFalse(kept.getStorageLevel().useMemory(), "closing drops the kept rows");
    }

    @Test
    void rowsAreKeptOnlyWhenTheyFitTheExecutorsCachingMemoryWithRoomToSpare() {
        SparkSession spark = SparkTestSession.get();
        CachedFeatures.Decision small = CachedFeatures.decide(spark.sparkContext(), 1 << 20);
        assertTrue(small.keep(), small.reason());
        assertTrue(small.poolBytes() > 0);
        long beyond = (long) (small.poolBytes() * CachedFeatures.MAX_POOL_SHARE) + 1;
        CachedFeatures.Decision large = CachedFeatures.decide(spark.sparkContext(), beyond);
        assertFalse(large.keep());
        assertTrue(large.reason().contains("beyond 75 %"), large.reason());
        assertTrue(CachedFeatures.decide(spark.sparkContext(), beyond - 1).keep());
    }

    private static List<String> values(JavaRDD<InternalRow> rows) {
        return rows.map(r -> r.getLong(0) + ":" + r.getArray(1).getFloat(0) + "," + r.getArray(1).getFloat(1))
                .collect();
    }
}
