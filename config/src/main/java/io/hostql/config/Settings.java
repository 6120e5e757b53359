package io.hostql.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * hostql's settings: defaults in reference.conf (HOCON), then HOSTQL_* environment variables, then
 * a --flagfile, then command-line flags, using osquery's flag names.
 *
 * <p>Flags follow osquery: an unknown flag on the command line or in the flagfile is an error
 * (osquery's gflags exits on it), so a typo never silently runs with a default. An osquery flag
 * hostql lacks ({@link OsqueryFlags}) is a warning naming the missing feature. In the config's
 * {@code options}, unknown names are warnings, as osquery's options parser has them.
 */
public final class Settings {
    private static final String ROOT = "hostql";
    /**
     * The defaults: our own reference.conf, next to this class, parsed once. (Typesafe's
     * defaultReference() scans every jar for reference.conf, which costs the shell's start-up.)
     */
    private static final Config REFERENCE = loadReference();

    private static Config loadReference() {
        try {
            return ConfigFactory.parseURL(Settings.class.getResource("reference.conf")).resolve().getConfig(ROOT);
        } catch (ConfigException e) {
            throw new SettingsException("hostql's reference.conf is broken: " + e.getMessage());
        }
    }

    private final Config config;
    private final Map<String, String> overridden;
    private final List<String> positional;
    private final List<String> warnings;

    private Settings(Config config, Map<String, String> overridden, List<String> positional, List<String> warnings) {
        this.config = config;
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
        Config reference = REFERENCE;
        Map<String, String> values = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        List<String> warnings = new ArrayList<>();

        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            if (!e.getKey().startsWith("HOSTQL_")) continue;
            String name = e.getKey().substring(7).toLowerCase(java.util.Locale.ROOT);
            if (reference.hasPath(name)) values.put(name, e.getValue());
        }

        Map<String, String> fromArgs = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        parseArgs(List.of(args), reference, fromArgs, positional, warnings, unknown, "");
        String flagfile = fromArgs.getOrDefault("flagfile", values.getOrDefault("flagfile", ""));
        if (!flagfile.isEmpty()) {
            Map<String, String> fromFile = new LinkedHashMap<>();
            parseArgs(readFlagfile(Path.of(flagfile)), reference, fromFile, new ArrayList<>(), warnings, unknown, " (in " + flagfile + ")");
            values.putAll(fromFile);
        }
        values.putAll(fromArgs);
        if (!unknown.isEmpty()) {
            // All of them in one line, with the warnings so far (--config_check shows both).
            throw new SettingsException((unknown.size() == 1 ? "unknown flag " : "unknown flags ") + String.join(", ", unknown), warnings);
        }

        Map<String, Object> typed = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            typed.put(e.getKey(), typedValue(reference, e.getKey(), e.getValue()));
        }
        Config merged = ConfigFactory.parseMap(typed, "flags").withFallback(reference).resolve();
        return new Settings(merged, values, positional, warnings);
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
    private static void parseArgs(List<String> args, Config reference, Map<String, String> out, List<String> positional,
            List<String> warnings, List<String> unknown, String where) {
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
            OsqueryFlags.Unsupported lacking = OsqueryFlags.unsupported(name);
            boolean known = reference.hasPath(name) || lacking != null;
            boolean negated = false;
            if (!known && name.startsWith("no")) {
                String positive = name.substring(2);
                OsqueryFlags.Unsupported l = OsqueryFlags.unsupported(positive);
                if (reference.hasPath(positive) || l != null) {
                    name = positive;
                    lacking = l;
                    negated = true;
                    known = true;
                }
            }
            if (!known) {
                unknown.add("--" + name + where); // "--bogus value": whether value is its value cannot be known; it fails anyway
                continue;
            }
            boolean bool = reference.hasPath(name) ? reference.getValue(name).valueType() == ConfigValueType.BOOLEAN : lacking.bool();
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
            if (reference.hasPath(name)) out.put(name, value);
        }
    }

    private static Object typedValue(Config reference, String name, String value) {
        ConfigValueType type = reference.getValue(name).valueType();
        switch (type) {
            case BOOLEAN: {
                String v = value.trim().toLowerCase(java.util.Locale.ROOT);
                if (v.equals("true") || v.equals("1") || v.equals("yes") || v.equals("on")) return true;
                if (v.equals("false") || v.equals("0") || v.equals("no") || v.equals("off")) return false;
                throw new SettingsException("flag --" + name + " expects true or false, got '" + value + "'");
            }
            case NUMBER:
                try {
                    return Long.parseLong(value.trim());
                } catch (NumberFormatException e) {
                    throw new SettingsException("flag --" + name + " expects an integer, got '" + value + "'");
                }
            default:
                return value;
        }
    }

    /**
     * Applies a config's {@code options}: each sets a flag unless that flag was given explicitly
     * (command line, flagfile, environment). As osquery's options parser, an unknown name or a bad
     * value is a warning, not an error, and {@code custom_*} names are free-form (kept by osquery for
     * extensions; nothing in hostql reads them).
     */
    public Settings withOptions(Map<String, String> options) {
        Config reference = REFERENCE;
        Map<String, String> values = new LinkedHashMap<>();
        List<String> warns = new ArrayList<>(warnings);
        Map<String, Object> typed = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : options.entrySet()) {
            OsqueryFlags.Unsupported lacking = OsqueryFlags.unsupported(e.getKey());
            if (lacking != null && !lacking.honours(e.getValue())) warns.add(lacking.warning(e.getValue(), " (config options)"));
            if (!reference.hasPath(e.getKey())) {
                if (lacking == null && !e.getKey().startsWith("custom_")) {
                    warns.add("config option '" + e.getKey() + "' is not an osquery or hostql flag; ignored");
                }
                continue;
            }
            if (overridden.containsKey(e.getKey())) continue;
            try {
                typed.put(e.getKey(), typedValue(reference, e.getKey(), e.getValue()));
                values.put(e.getKey(), e.getValue());
            } catch (SettingsException ex) {
                warns.add("config option " + ex.getMessage().replaceFirst("^flag ", "") + "; ignored");
            }
        }
        Config merged = ConfigFactory.parseMap(typed, "config options").withFallback(config).resolve();
        Map<String, String> all = new LinkedHashMap<>(overridden);
        all.putAll(values);
        return new Settings(merged, all, positional, warns);
    }

    public String string(String name) {
        return config.getString(name);
    }

    public boolean bool(String name) {
        return config.getBoolean(name);
    }

    public long number(String name) {
        return config.getLong(name);
    }

    public Path path(String name) {
        return Path.of(config.getString(name));
    }

    /** Whether the flag was given explicitly (flag, flagfile or environment) rather than defaulted. */
    public boolean isSet(String name) {
        return overridden.containsKey(name);
    }

    public List<String> positional() {
        return positional;
    }

    public List<String> warnings() {
        return warnings;
    }

    /** Every known flag, for osquery_flags: name, type, description, default, current value. */
    public List<Flag> flags() {
        Config reference = REFERENCE;
        List<Flag> out = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> e : new TreeMap<>(reference.root()).entrySet()) {
            ConfigValue def = e.getValue();
            String type = switch (def.valueType()) {
                case BOOLEAN -> "bool";
                case NUMBER -> "int64";
                default -> "string";
            };
            String description = String.join(" ", def.origin().comments()).strip();
            out.add(new Flag(e.getKey(), type, description, String.valueOf(def.unwrapped()),
                    String.valueOf(config.getValue(e.getKey()).unwrapped()), description.contains("(shell)")));
        }
        return out;
    }

    public record Flag(String name, String type, String description, String defaultValue, String value, boolean shellOnly) {}

}
