package io.hostql.config.flags;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One hostql setting, declared once (in its {@link SettingGroup}'s class): its osquery flag name,
 * type, default, range or choices, whether SIGHUP applies it, and its one-line description.
 * {@link #parse} is the one validation of a value, whatever its source (environment, flagfile,
 * command line, config options), so a call site reads a value that is already typed and in range.
 *
 * @param <T> Boolean, Integer, Long, String or Path
 */
public final class Setting<T> {
    /** typeName is osquery_flags' type column. */
    public enum Kind {
        BOOL("bool"), INT32("int32"), INT64("int64"), STRING("string"), PATH("string");

        private final String typeName;

        Kind(String typeName) {
            this.typeName = typeName;
        }

        public String typeName() {
            return typeName;
        }
    }

    /** Compiled once: every program declares all ~170 flags at start, and String.matches compiles at each call. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

    private final SettingGroup group;
    private final String name;
    private final Kind kind;
    private final T defaultValue;
    private final long min, max;
    private final List<String> choices;
    private final Reload reload;
    private final String description;

    Setting(SettingGroup group, String name, Kind kind, T defaultValue, long min, long max, List<String> choices, Reload reload,
            String description) {
        if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("bad flag name '" + name + "'");
        if (description.isBlank() || description.contains("\n")) throw new IllegalArgumentException(name + ": the description is one line");
        this.group = group;
        this.name = name;
        this.kind = kind;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
        this.choices = choices;
        this.reload = reload;
        this.description = description;
        // The default obeys the declaration, or the declaration is wrong.
        String problem = problem(defaultValue);
        if (problem != null) throw new IllegalArgumentException(name + ": the default " + defaultValue + " " + problem);
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    /** osquery's type name: bool, int32, int64 or string. */
    public String type() {
        return kind.typeName();
    }

    public T defaultValue() {
        return defaultValue;
    }

    public Reload reload() {
        return reload;
    }

    public boolean reloads() {
        return reload == Reload.ON_SIGHUP;
    }

    public String description() {
        return description;
    }

    public SettingGroup group() {
        return group;
    }

    public boolean shellOnly() {
        return group.shellOnly();
    }

    public List<String> choices() {
        return choices;
    }

    /** A flag that takes no value: {@code --flag} is true, {@code --noflag} false. */
    public boolean isBool() {
        return kind == Kind.BOOL;
    }

    /**
     * The accepted values, for --help and messages: "0..23", "1 or more", "auto, owner, coexist";
     * null when any value of the type is.
     */
    public String range() {
        if (!choices.isEmpty()) return String.join(", ", choices);
        if (kind != Kind.INT32 && kind != Kind.INT64) return null;
        // An int32's bound is shown: "or more" would hide that 2^31 is refused.
        if (kind == Kind.INT64 && max == Long.MAX_VALUE) return min == Long.MIN_VALUE ? null : min + " or more";
        return min + ".." + max;
    }

    /**
     * The value of raw text (from a flag, the environment or the config's options).
     *
     * @throws IllegalArgumentException naming what is wrong with it ("is out of range 0..23"), to follow the flag and value
     */
    public T parse(String raw) {
        Object v = switch (kind) {
            case BOOL -> switch (raw.strip().toLowerCase(Locale.ROOT)) {
                case "true", "1", "yes", "on" -> Boolean.TRUE;
                case "false", "0", "no", "off" -> Boolean.FALSE;
                default -> throw new IllegalArgumentException("is not true or false");
            };
            case INT32, INT64 -> {
                long n;
                try {
                    n = Long.parseLong(raw.strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("is not an integer");
                }
                if (n < min || n > max) throw new IllegalArgumentException("is out of range " + range());
                yield kind == Kind.INT32 ? (Object) (int) n : (Object) n;
            }
            case STRING -> choices.isEmpty() ? raw : raw.strip().toLowerCase(Locale.ROOT);
            case PATH -> {
                try {
                    yield Path.of(raw);
                } catch (InvalidPathException e) {
                    throw new IllegalArgumentException("is not a valid path: " + e.getReason());
                }
            }
        };
        @SuppressWarnings("unchecked")
        T typed = (T) v;
        String problem = problem(typed);
        if (problem != null) throw new IllegalArgumentException(problem);
        return typed;
    }

    /** Why a typed value is refused, or null. */
    private String problem(T value) {
        if (value instanceof Number n && (n.longValue() < min || n.longValue() > max)) return "is out of range " + range();
        if (!choices.isEmpty() && !choices.contains(value)) return "is not one of " + range();
        return null;
    }

    @Override
    public String toString() {
        return "--" + name;
    }
}
