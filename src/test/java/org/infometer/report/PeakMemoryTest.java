package org.infometer.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The peaks come from this JVM's counters and never fall; the summary block carries every field. */
class PeakMemoryTest {

    @Test
    void aLiveAllocationIsInsideTheDriverPeakAndTheBlockHasEveryField() throws Exception {
        PeakMemory.start();
        PeakMemory.Snapshot before = PeakMemory.snapshot();
        long[] ballast = new long[32 << 20];   // 256 MiB, touched so it is resident
        for (int i = 0; i < ballast.length; i += 512) {
            ballast[i] = i;
        }
        Thread.sleep(3 * PeakMemory.SAMPLE_MS);
        PeakMemory.Snapshot after = PeakMemory.snapshot();
        assertTrue(ballast[512] == 512);
        // The peak never falls, and it holds at least the ballast that was live while sampled.
        assertTrue(after.driverHeapPeak() >= before.driverHeapPeak());
        assertTrue(after.driverHeapPeak() >= 256L << 20, before.driverHeapPeak() + " -> " + after.driverHeapPeak());
        assertTrue(after.driverHeapPeak() <= after.driverHeapMax());
        if (System.getProperty("os.name").startsWith("Linux")) {
            assertTrue(after.driverRssPeak() >= after.driverHeapPeak() / 2, after.describe());
            assertTrue(after.driverRssPeak() >= before.driverRssPeak());
        }
        ObjectNode root = new ObjectMapper().createObjectNode();
        after.putJson(root);
        assertEquals(6, root.get("peak_memory_bytes").size());
        assertTrue(after.describe().startsWith("peak memory: driver heap "), after.describe());
    }
}
