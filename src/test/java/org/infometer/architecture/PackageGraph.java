package org.infometer.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The dependencies between the packages of a source tree, read from the sources: every import (static ones
 * too) and every fully qualified name in code. Comments and string literals are blanked first, so a name in
 * Javadoc prose does not count, but one in code does. Same-package references need no import and cannot form
 * a package cycle, so they are not needed.
 */
final class PackageGraph {

    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    /** A qualified reference: lower-case package segments, then a type (upper-case first letter). */
    private static final Pattern REFERENCE = Pattern.compile("\\b((?:[a-z_][\\w]*\\.)+)([A-Z]\\w*)");

    /** package -> packages it depends on -> the files and types behind the edge. */
    private final Map<String, Map<String, Set<String>>> edges = new TreeMap<>();

    static PackageGraph of(Path sourceRoot, String rootPackage) {
        PackageGraph g = new PackageGraph();
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                g.add(f.getFileName().toString(), Files.readString(f), rootPackage);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return g;
    }

    void add(String fileName, String source, String rootPackage) {
        String code = blankCommentsAndStrings(source);
        Matcher pm = PACKAGE.matcher(code);
        if (!pm.find()) {
            return;
        }
        String from = pm.group(1);
        edges.computeIfAbsent(from, k -> new TreeMap<>());
        Matcher m = REFERENCE.matcher(code.substring(pm.end()));
        while (m.find()) {
            String pkg = m.group(1).substring(0, m.group(1).length() - 1);
            if (!pkg.equals(from) && (pkg.equals(rootPackage) || pkg.startsWith(rootPackage + "."))) {
                edges.get(from).computeIfAbsent(pkg, k -> new TreeSet<>()).add(fileName + " -> " + m.group(2));
                edges.computeIfAbsent(pkg, k -> new TreeMap<>());
            }
        }
    }

    Set<String> packages() {
        return edges.keySet();
    }

    Set<String> dependencies(String pkg) {
        return edges.getOrDefault(pkg, Map.of()).keySet();
    }

    /** Why {@code from} depends on {@code to}: "File.java -> Type" for each reference. */
    Set<String> reasons(String from, String to) {
        return edges.getOrDefault(from, Map.of()).getOrDefault(to, Set.of());
    }

    /** The strongly connected components with more than one package (Tarjan), each sorted. */
    List<List<String>> cycles() {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<List<String>> out = new ArrayList<>();
        for (String v : edges.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, index, low, stack, onStack, out);
            }
        }
        return out;
    }

    private void connect(String v, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
                         Set<String> onStack, List<List<String>> out) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : dependencies(v)) {
            if (!index.containsKey(w)) {
                connect(w, index, low, stack, onStack, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> component = new ArrayList<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                component.sort(null);
                out.add(component);
            }
        }
    }

    /** The source with comments and string/char literals replaced by spaces (line structure kept). */
    static String blankCommentsAndStrings(String s) {
        StringBuilder b = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '/') {
                while (i < s.length() && s.charAt(i) != '\n') {
                    b.append(' ');
                    i++;
                }
            } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? s.length() : end + 2;
                for (; i < end; i++) {
                    b.append(s.charAt(i) == '\n' ? '\n' : ' ');
                }
            } else if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                end = end < 0 ? s.length() : end + 3;
                for (; i < end; i++) {
                    b.append(s.charAt(i) == '\n' ? '\n' : ' ');
                }
            } else if (c == '"' || c == '\'') {
                b.append(' ');
                i++;
                while (i < s.length() && s.charAt(i) != c && s.charAt(i) != '\n') {
                    if (s.charAt(i) == '\\') {
                        b.append(' ');
                        i++;
                    }
                    if (i < s.length()) {
                        b.append(' ');
                        i++;
                    }
                }
                if (i < s.length()) {
                    b.append(' ');
                    i++;
                }
            } else {
                b.append(c);
                i++;
            }
        }
        return b.toString();
    }
}
