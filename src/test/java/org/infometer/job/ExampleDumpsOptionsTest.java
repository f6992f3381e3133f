package org.infometer.job;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code import --generate-example DIR} with its size options writes that many dumps, and refuses bad sizes. */
class ExampleDumpsOptionsTest {

    @TempDir
    Path dir;

    @Test
    void sizeOptionsSetScenesSamplesAndSeed() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Path c = dir.resolve("c");
        String summary = dir.resolve("s.json").toString();
        assertEquals(0, MainAccess.run("import", "--generate-example", a.toString(), "--scenes", "2",
                "--samples-per-scene", "3", "--tokens", "5", "--seed", "11", "--summary", summary));
        assertEquals(0, MainAccess.run("import", "--generate-example", b.toString(), "--scenes", "2",
                "--samples-per-scene", "3", "--tokens", "5", "--seed", "11", "--summary", summary));
        assertEquals(0, MainAccess.run("import", "--generate-example", c.toString(), "--scenes", "2",
                "--samples-per-scene", "3", "--tokens", "5", "--seed", "12", "--summary", summary));
        List<String> index = Files.readAllLines(a.resolve("index.csv"));
        assertEquals(1 + 6, index.size(), "header and 2 x 3 samples: " + index);
        assertTrue(index.stream().skip(1).map(l -> l.split(",")[1]).distinct().count() == 2, "two scenes");
        String file = index.get(1).split(",")[4];
        byte[] sameSeed = Files.readAllBytes(b.resolve(file));
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(a.resolve(file)), sameSeed), "same seed, same dump");
        assertTrue(!java.util.Arrays.equals(Files.readAllBytes(c.resolve(file)), sameSeed), "other seed, other dump");
    }

    @Test
    void nonPositiveSizeIsRefused() {
        assertEquals(2, MainAccess.run("import", "--generate-example", dir.resolve("d").toString(), "--tokens", "0",
                "--summary", dir.resolve("s.json").toString()));
    }
}
