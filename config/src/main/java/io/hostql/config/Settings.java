package io.hostql.config;

import io.hostql.config.flags.AllFlags;
import io.hostql.config.flags.Setting;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * hostql's settings: the defaults declared in {@link io.hostql.config.flags} ({@link AllFlags}), then
 * HOSTQL_* environment variables, then a --flagfile, then command-line flags, using osquery's flag
 * names; then the config's {@code options} ({@link #withOptions}). Every value from every source is
 * checked by its declaration ({@link Setting#parse}): a wrong type or a value out of range is one line
 * naming the flag, the value and the range, an error at start-up and a warning in the options.
 *
 * <p>Flags follow osquery: an unknown flag on the command line or in the flagfile is an error
 * (osquery's gflags exits on it), so a typo never silently runs with a default. An osquery flag
 * hostql lacks ({@link OsqueryFlags}) is a warning naming the missing feature. In the config's
 * {@code options}, unknown names are warnings, as osquery's options parser has them.
 */
public final class Settings {
    private final Map<String, Object> values;
    private final Map<String, String> overridden;
    private final List<String> positional;
    private final List<String> warnings;

    private Settings(Map<String, Object> values, Map<String, String> overridden, List<String> positional, List<String> warnings) {
        this.values = values;
        this.overridden = overridden;
        this.positional = positional;
        this.warnings = warnings;
    }

    public static Settings defaults() {
        return parse(new String[0], Map.of());
    }

    public static Settings parse(String[] args) {
        return parse(args, System.getenv());
    }

    /** Parses flags ({@code --name=value}, {@code --name value}, {@code --bool}, {@code --no_bool}); others are positional. */
    public static Settings parse(String[] args, Map<String, String> env) {
        Map<String, String> raw = new LinkedHashMap<>();
        Map<String, String> where = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        List<String> warnings = new ArrayList<>();

        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            if (!e.getKey().startsWith("HOSTQL_")) continue;
            String name = e.getKey().substring(7).toLowerCase(Locale.ROOT);
            if (AllFlags.named(name) == null) continue; // the environment holds what it holds: only hostql's names are read
            raw.put(name, e.getValue());
            where.put(name, " (from " + e.getKey() + ")");
        }

        Map<String, String> fromArgs = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        parseArgs(List.of(args), fromArgs, positional, warnings, unknown, "");
        String flagfile = fromArgs.getOrDefault("flagfile", raw.getOrDefault("flagfile", ""));
        if (!flagfile.isEmpty()) {
            Map<String, String> fromFile = new LinkedHashMap<>();
            String in = " (in " + flagfile + ")";
            parseArgs(readFlagfile(flagfilePath(flagfile)), fromFile, new ArrayList<>(), warnings, unknown, in);
            raw.putAll(fromFile);
            for (String name : fromFile.keySet()) where.put(name, in);
        }
        raw.putAll(fromArgs);
        for (String name : fromArgs.keySet()) where.put(name, "");
        if (!unknown.isEmpty()) {
            // All of them in one line, with the warnings so far (--config_check shows both).
            throw new SettingsException((unknown.size() == 1 ? "unknown flag " : "unknown flags ") + String.join(", ", unknown), warnings);
        }

        Map<String, Object> values = defaultValues();
        for (Map.Entry<String, String> e : raw.entrySet()) {
            Setting<?> s = AllFlags.named(e.getKey());
            try {
                values.put(s.name(), s.parse(e.getValue()));
            } catch (IllegalArgumentException bad) {
                throw new SettingsException("flag " + shown(s, e.getValue()) + where.get(s.name()) + " " + bad.getMessage(), warnings);
            }
        }
        return new Settings(values, raw, positional, warnings);
    }

    private static Map<String, Object> defaultValues() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Setting<?> s : AllFlags.all()) out.put(s.name(), s.defaultValue());
        return out;
    }

    /** "--name=value" for a message, on one line whatever the value holds. */
    private static String shown(Setting<?> s, String value) {
        String v = value.length() > 200 ? value.substring(0, 200) + "…" : value;
        StringBuilder b = new StringBuilder("--").append(s.name()).append('=');
        v.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", c));
            else b.appendCodePoint(c);
        });
        return b.toString();
    }

    private static Path flagfilePath(String flagfile) {
        try {
            return Path.of(flagfile);
        } catch (java.nio.file.InvalidPathException e) {
            throw new SettingsException("flag --flagfile: '" + flagfile.replace("\0", "\\0") + "' is not a valid path: " + e.getReason());
        }
    }

    private static List<String> readFlagfile(Path file) {
        try {
            List<String> out = new ArrayList<>();
            for (String line : Utf8Text.read(file).split("\n")) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) continue;
                out.add(t);
            }
            return out;
        } catch (IOException e) {
            throw new SettingsException("cannot read flagfile " + file + ": " + e.getMessage());
        }
    }

    /** where: "" for the command line, " (in FILE)" for a flagfile; it follows the flag's name in messages. */
    private static void parseArgs(List<String> args, Map<String, String> out, List<String> positional, List<String> warnings,
            List<String> unknown, String where) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("-") || a.equals("-") || a.equals("--")) {
                if (a.equals("--")) {
                    positional.addAll(args.subList(i + 1, args.size()));
                    return;
                }
                positional.add(a);
                continue;
            }
            String body = a.startsWith("--") ? a.substring(2) : a.substring(1);
            String name = body, value = null;
            int eq = body.indexOf('=');
            if (eq >= 0) {
                name = body.substring(0, eq);
                value = body.substring(eq + 1);
            }
            Setting<?> declared = AllFlags.named(name);
            OsqueryFlags.Unsupported lacking = OsqueryFlags.unsupported(name);
            boolean negated = false;
            if (declared == null && lacking == null && name.startsWith("no")) {
                String positive = name.substring(2);
                declared = AllFlags.named(positive);
                lacking = OsqueryFlags.unsupported(positive);
                if (declared != null || lacking != null) {
                    name = positive;
                    negated = true;
                }
            }
            if (declared == null && lacking == null) {
                unknown.add("--" + name + where); // "--bogus value": whether value is its value cannot be known; it fails anyway
                continue;
            }
            boolean bool = declared != null ? declared.isBool() : lacking.bool();
            if (value == null) {
                if (bool) {
                    value = negated ? "false" : "true";
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new SettingsException("flag --" + name + where + " needs a value");
                }
            }
            if (lacking != null && !lacking.honours(value)) warnings.add(lacking.warning(value, where));
            if (declared != null) out.put(name, value);
        }
    }

    /**
     * Applies a config's {@code options}: each sets a flag unless that flag was given explicitly
     * (command line, flagfile, environment). As osquery's options parser, an unknown name or a bad
     * value is a warning, not an error, and {@code custom_*} names are free-form (kept by osquery for
     * extensions; nothing in hostql reads them).
     */
    public Settings withOptions(Map<String, String> options) {
        Map<String, Object> next = new LinkedHashMap<>(values);
        Map<String, String> all = new LinkedHashMap<>(overridden);
        List<String> warns = new ArrayList<>(warnings);
        for (Map.Entry<String, String> e : options.entrySet()) {
            OsqueryFlags.Unsupported lacking = OsqueryFlags.unsupported(e.getKey());
            if (lacking != null && !lacking.honours(e.getValue())) warns.add(lacking.warning(e.getValue(), " (config options)"));
            Setting<?> s = AllFlags.named(e.getKey());
            if (s == null) {
                if (lacking == null && !e.getKey().startsWith("custom_")) {
                    warns.add("config option '" + e.getKey() + "' is not an osquery or hostql flag; ignored");
                }
                continue;
            }
            if (overridden.containsKey(s.name())) continue;
            try {
                next.put(s.name(), s.parse(e.getValue()));
                all.put(s.name(), e.getValue());
            } catch (IllegalArgumentException bad) {
                warns.add("config option " + shown(s, e.getValue()) + " " + bad.getMessage() + "; ignored");
            }
        }
        return new Settings(next, all, positional, warns);
    }

    /**
     * SIGHUP: one warning for each flag declared to take effect at restart whose value in these
     * settings (the reloaded config's options) differs from the running ones, instead of silence.
     */
    public List<String> restartNeeded(Settings running) {
        List<String> out = new ArrayList<>();
        for (Setting<?> s : AllFlags.all()) {
            if (s.reloads() || s.shellOnly()) continue;
            Object now = running.values.get(s.name()), next = values.get(s.name());
            if (!Objects.equals(now, next)) {
                out.add("config option " + s.name() + " changed from " + now + " to " + next + "; it takes effect at restart");
            }
        }
        return out;
    }

    /** The value of a declared flag, already typed and in its range. */
    public <T> T get(Setting<T> s) {
        @SuppressWarnings("unchecked")
        T v = (T) values.get(s.name());
        return v;
    }

    /** A value by name, checked against its declaration (the string-keyed reads that remain). */
    private Object value(String name, Setting.Kind... kinds) {
        Setting<?> s = AllFlags.named(name);
        if (s == null) throw new IllegalArgumentException("hostql has no flag --" + name);
        if (kinds.length > 0 && !List.of(kinds).contains(s.kind())) {
            throw new IllegalArgumentException("flag --" + name + " is " + s.type() + ", not " + kinds[0].typeName());
        }
        return values.get(name);
    }

    public String string(String name) {
        return String.valueOf(value(name));
    }

    public boolean bool(String name) {
        return (Boolean) value(name, Setting.Kind.BOOL);
    }

    public long number(String name) {
        return ((Number) value(name, Setting.Kind.INT64, Setting.Kind.INT32)).longValue();
    }

    public Path path(String name) {
        return Path.of(string(name));
    }

    /** Whether the flag was given explicitly (flag, flagfile or environment) rather than defaulted. */
    public boolean isSet(String name) {
        return overridden.containsKey(name);
    }

    public boolean isSet(Setting<?> s) {
        return overridden.containsKey(s.name());
    }

    public List<String> positional() {
        return positional;
    }

    public List<String> warnings() {
        return warnings;
    }

    /** Every known flag, for osquery_flags: name, type, description, default, current value. */
    public List<Flag> flags() {
        List<Flag> out = new ArrayList<>();
        Map<String, Setting<?>> sorted = new TreeMap<>();
        for (Setting<?> s : AllFlags.all()) sorted.put(s.name(), s);
        for (Setting<?> s : sorted.values()) {
            out.add(new Flag(s.name(), s.type(), s.description(), String.valueOf(s.defaultValue()), String.valueOf(values.get(s.name())),
                    s.shellOnly()));
        }
        return out;
    }

    public record Flag(String name, String type, String description, String defaultValue, String value, boolean shellOnly) {}
}
