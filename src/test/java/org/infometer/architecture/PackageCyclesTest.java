package org.infometer.architecture;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The main sources' packages form no cycle: each concern can be read, tested and changed from the bottom up. */
class PackageCyclesTest {

    @Test
    void mainSourcesHaveNoPackageCycle() {
        PackageGraph g = PackageGraph.of(Path.of("src/main/java"), "org.infometer");
        assertTrue(g.packages().size() > 10, "read only " + g.packages());
        StringBuilder why = new StringBuilder();
        for (List<String> cycle : g.cycles()) {
            why.append("\ncycle ").append(cycle);
            for (String a : cycle) {
                for (String b : cycle) {
                    if (!g.reasons(a, b).isEmpty()) {
                        why.append("\n  ").append(a).append(" -> ").append(b).append(": ").append(g.reasons(a, b));
                    }
                }
            }
        }
        assertTrue(g.cycles().isEmpty(), why.toString());
    }

    @Test
    void findsACycleThroughAnImportAndAQualifiedName() {
        PackageGraph g = new PackageGraph();
        g.add("A.java", "package org.x.a;\nimport org.x.b.B;\nclass A { B b; }\n", "org.x");
        g.add("B.java", "package org.x.b;\n/** see org.x.c.C in prose only */\nclass B {\n"
                + "  String s = \"org.x.c.C\";\n  org.x.a.A a;\n}\n", "org.x");
        g.add("C.java", "package org.x.c;\nimport static org.x.a.A.helper;\nclass C {}\n", "org.x");
        assertEquals(List.of(List.of("org.x.a", "org.x.b")), g.cycles());
        assertEquals(java.util.Set.of("A.java -> B"), g.reasons("org.x.a", "org.x.b"));
        assertTrue(g.dependencies("org.x.b").equals(java.util.Set.of("org.x.a")),
                "comments and strings must not count: " + g.dependencies("org.x.b"));
        assertTrue(g.dependencies("org.x.c").contains("org.x.a"));
    }
}
