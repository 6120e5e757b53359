package io.hostql.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * osquery's flags that hostql knows but does not implement, from {@code osquery-flags.tsv} (one
 * place: shrink it as features land). A flag there is accepted with a warning naming the missing
 * feature; a flag neither there nor declared ({@link io.hostql.config.flags.AllFlags}) is unknown, and refused as osquery refuses it.
 */
public final class OsqueryFlags {
    /** A flag hostql lacks (or some of whose values it lacks): its type, the values hostql already honours, the feature. */
    public record Unsupported(String name, String type, Set<String> same, String feature) {
        public boolean bool() {
            return type.equals("bool");
        }

        /** Whether hostql already does what osquery would with this value (then no warning). */
        public boolean honours(String value) {
            if (same.isEmpty()) return false;
            String v = value.strip().toLowerCase(Locale.ROOT);
            if (bool()) v = switch (v) {
                case "1", "yes", "on", "true" -> "true";
                case "0", "no", "off", "false" -> "false";
                default -> v;
            };
            if (same.contains(v)) return true;
            if (!type.equals("string") || v.isEmpty()) return false;
            return Arrays.stream(v.split(",")).map(String::strip).allMatch(same::contains); // "filesystem,tls" is not
        }

        /**
         * The warning. Only values of flags that choose a plugin or mode are shown: others may be
         * secrets (aws_secret_access_key) and must not reach the status log.
         */
        public String warning(String value, String where) {
            String shown = same.isEmpty() || bool() ? "" : "=" + value;
            return "--" + name + shown + where + " is not implemented in hostql: it lacks " + feature;
        }
    }

    private static final Map<String, Unsupported> FLAGS = load();

    private OsqueryFlags() {}

    private static Map<String, Unsupported> load() {
        Map<String, Unsupported> out = new LinkedHashMap<>();
        try (InputStream in = OsqueryFlags.class.getResourceAsStream("osquery-flags.tsv")) {
            if (in == null) throw new SettingsException("hostql's osquery-flags.tsv is missing from the build");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split("\t");
                if (f.length != 4 || !Set.of("bool", "int", "string").contains(f[1])) {
                    throw new SettingsException("hostql's osquery-flags.tsv line " + n + " is not name<TAB>type<TAB>same<TAB>feature");
                }
                Set<String> same = f[2].equals("-") ? Set.of() : Set.of(f[2].toLowerCase(Locale.ROOT).split(","));
                out.put(f[0], new Unsupported(f[0], f[1], same, f[3]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(out);
    }

    /** The flag hostql knows from osquery but lacks (or lacks some values of), or null. */
    public static Unsupported unsupported(String name) {
        return FLAGS.get(name);
    }

    /** Every listed flag, for tests and osquery_flags. */
    public static Map<String, Unsupported> all() {
        return FLAGS;
    }
}
