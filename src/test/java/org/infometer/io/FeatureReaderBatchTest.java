package org.infometer.io;

import org.apache.spark.sql.SparkSession;
import org.infometer.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Rows per vectorized batch for feature maps: about 8 MiB a batch, and only while a feature scan is made. */
class FeatureReaderBatchTest {

    @Test
    void batchesHoldAboutEightMebibytesOfFeatureRows() {
        // 900 tokens x (256 + 256) float channels: 1.8 MB a row, 4 rows a batch.
        assertEquals(4, FeatureInput.featureBatchRows(900L * 512 * 4, 4096));
        // Rows larger than the budget are read one at a time.
        assertEquals(1, FeatureInput.featureBatchRows(20L << 20, 4096));
        // Small rows keep Spark's default, and a smaller value the user set is kept.
        assertEquals(4096, FeatureInput.featureBatchRows(200, 4096));
        assertEquals(2, FeatureInput.featureBatchRows(900L * 512 * 4, 2));
    }

    @Test
    void theSessionKeepsItsOwnBatchSizeOutsideTheFeatureScan() {
        SparkSession spark = SparkTestSession.get();
        spark.conf().set(FeatureInput.FEATURE_BATCH_ROWS, "3");
        try {
            spark.conf().unset(FeatureInput.READER_BATCH_ROWS);
            FeatureInput.internalRows(spark.range(5).toDF());
            assertFalse(spark.conf().contains(FeatureInput.READER_BATCH_ROWS));
            spark.conf().set(FeatureInput.READER_BATCH_ROWS, "100");
            FeatureInput.internalRows(spark.range(5).toDF());
            assertEquals("100", spark.conf().get(FeatureInput.READER_BATCH_ROWS));
        } finally {
            spark.conf().unset(FeatureInput.FEATURE_BATCH_ROWS);
            spark.conf().unset(FeatureInput.READER_BATCH_ROWS);
        }
    }
}
