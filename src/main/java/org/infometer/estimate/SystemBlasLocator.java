package org.infometer.estimate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the dynamic loader would find {@code libblas.so.3}, found without loading it: netlib keeps whatever it
 * loads first, so the choice between the system library and the bundled one must be made from the path alone.
 * The search follows the loader's order for an unqualified name: {@code LD_LIBRARY_PATH}, then the multiarch and
 * default directories that Debian, Ubuntu and RHEL-like systems register in ld.so.cache.
 */
final class SystemBlasLocator {

    static final String NAME = "libblas.so.3";

    private static final List<String> DEFAULT_DIRS = List.of(
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib", "/usr/local/lib");

    private SystemBlasLocator() {
    }

    /** The resolved (symlinks followed) path of the first libblas.so.3 the loader would take, or null. */
    static Path resolve(String ldLibraryPath) {
        for (Path dir : searchDirs(ldLibraryPath)) {
            Path candidate = dir.resolve(NAME);
            if (Files.isRegularFile(candidate)) {
                try {
                    return candidate.toRealPath();
                } catch (IOException e) {
                    return candidate;
                }
            }
        }
        return null;
    }

    static List<Path> searchDirs(String ldLibraryPath) {
        List<Path> dirs = new ArrayList<>();
        if (ldLibraryPath != null) {
            for (String d : ldLibraryPath.split(":")) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        for (String d : DEFAULT_DIRS) {
            dirs.add(Path.of(d));
        }
        return dirs;
    }
}
