package org.infometer.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a summary says about the submission that produced it, the same fields for every job-file mode (the MI and
 * PID jobs' summary.json, the correlate mode's): {@code job}, {@code run_date}, {@code tool_version}, the resolved
 * {@code config} and its {@code config_sha256}, so two outputs can be told to come from the same configuration
 * without comparing whole trees.
 */
public final class SubmissionMeta {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SubmissionMeta() {
    }

    public static ObjectNode of(String job, String runDate, JsonNode config) {
        ObjectNode o = JSON.createObjectNode();
        o.put("job", job);
        o.put("run_date", runDate);
        o.put("tool_version", ToolVersion.get());
        o.set("config", config);
        o.put("config_sha256", sha256(config));
        return o;
    }

    /** SHA-256 (hex) of the config tree's compact JSON: the resolved values, overrides included. */
    public static String sha256(JsonNode config) {
        try {
            byte[] text = JSON.writeValueAsString(config).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text));
        } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("Cannot hash the configuration: " + e.getMessage(), e);
        }
    }
}
