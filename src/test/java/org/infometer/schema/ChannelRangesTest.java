package org.infometer.schema;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChannelRangesTest {

    private static ChannelRanges.RowRange row(String run, float a, float b) {
        return new ChannelRanges.RowRange(run, 1, new float[] {a, b}, new float[] {a, b});
    }

    @Test
    void valueIsASnapshotThatLaterMergesDoNotTouch() {
        ChannelRanges r = new ChannelRanges();
        r.add(row("a", 1, 2));
        Map<String, ChannelRanges.RowRange> before = r.value();
        var it = before.entrySet().iterator();
        it.next();
        r.add(row("b", 1, 2));
        r.add(row("a", 0, 5));
        it.hasNext();
        assertEquals(1, before.size(), "the earlier value keeps its entries");
        assertEquals(1f, before.get("a").min()[0]);
        assertEquals(2, r.value().size());
        assertEquals(0f, r.value().get("a").min()[0]);
        assertThrows(UnsupportedOperationException.class, () -> before.remove("a"));
    }

    @Test
    void mergeAndConstantChannels() {
        ChannelRanges r = new ChannelRanges();
        r.add(row("a", 1, 2));
        ChannelRanges o = new ChannelRanges();
        o.add(row("a", 1, 3));
        r.merge(o);
        assertEquals(List.of("camera channel 0 (= 1.0)"), r.constantChannels("a", "camera", "lidar"));
        ChannelRanges c = (ChannelRanges) r.copy();
        c.reset();
        assertEquals(true, c.isZero());
        assertEquals(1, r.value().size());
    }
}
