package org.infometer.report;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of the build that runs, for summaries: a summary must say which code produced its numbers. */
public final class ToolVersion {

    private static final String VERSION = load();

    private ToolVersion() {
    }

    public static String get() {
        return VERSION;
    }

    private static String load() {
        // The filtered resource also exists when running from target/classes (tests, mvn exec), where no manifest is.
        try (InputStream in = ToolVersion.class.getResourceAsStream("/org/infometer/version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException ignored) {
            // fall through to the manifest
        }
        String v = ToolVersion.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }
}
