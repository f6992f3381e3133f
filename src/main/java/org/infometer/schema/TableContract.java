package org.infometer.schema;

import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A table contract from {@code data-schemas/NAME.ddl} (shipped in the jar): Spark DDL column lists, with
 * {@code --} comment lines. A {@code ${m}} placeholder marks per-modality columns, expanded for each modality.
 */
public final class TableContract implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private final String name;
    private final List<String> fixed = new ArrayList<>();
    private final List<String> perModality = new ArrayList<>();
    /** The column names without per-modality columns, parsed once: {@link #row} runs once per output row. */
    private transient String[] fieldNames;

    private TableContract(String name, String text) {
        this.name = name;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("--")) {
                continue;
            }
            line = line.endsWith(",") ? line.substring(0, line.length() - 1) : line;
            (line.contains("${m}") ? perModality : fixed).add(line);
        }
    }

    public static TableContract load(String name) {
        String path = "data-schemas/" + name + ".ddl";
        try (InputStream in = TableContract.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("Table contract " + path + " is missing from the classpath");
            }
            return new TableContract(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read table contract " + path, e);
        }
    }

    public String name() {
        return name;
    }

    /**
     * A row of this table from values by column name, in the contract's column order: a missing or unknown
     * column name fails naming it, so writers never depend on column positions.
     */
    public org.apache.spark.sql.Row row(java.util.Map<String, ?> values) {
        if (fieldNames == null) {
            fieldNames = schema().fieldNames();
        }
        String[] names = fieldNames;
        if (values.size() != names.length || !values.keySet().containsAll(List.of(names))) {
            List<String> unknown = new ArrayList<>(values.keySet());
            unknown.removeAll(List.of(names));
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException("Table " + name + " has no column(s) " + unknown);
            }
            for (String f : names) {
                if (!values.containsKey(f)) {
                    throw new IllegalArgumentException("Table " + name + ": no value for column " + f);
                }
            }
        }
        Object[] v = new Object[names.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(names[i]);
        }
        return org.apache.spark.sql.RowFactory.create(v);
    }

    /** The table's schema, with per-modality columns expanded for each modality in order. */
    public StructType schema(String... modalities) {
        List<String> cols = new ArrayList<>(fixed);
        for (String m : modalities) {
            for (String template : perModality) {
                cols.add(template.replace("${m}", m));
            }
        }
        return StructType.fromDDL(String.join(", ", cols));
    }
}
