package io.hostql.config.flags;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The flags of one concern (events, audit, logging…), in declaration order: {@code --help} and
 * reference.conf list them by group. Each declaration registers itself here, so adding a flag is
 * one line in its group's class.
 */
public final class SettingGroup {
    private final String name, title;
    private final boolean shellOnly;
    private final List<Setting<?>> settings = new ArrayList<>();

    public SettingGroup(String name, String title) {
        this(name, title, false);
    }

    /** shellOnly: hostqli's flags (osquery_flags' shell_only column); hostqld ignores them. */
    public SettingGroup(String name, String title, boolean shellOnly) {
        this.name = name;
        this.title = title;
        this.shellOnly = shellOnly;
    }

    public String name() {
        return name;
    }

    public String title() {
        return title;
    }

    public boolean shellOnly() {
        return shellOnly;
    }

    public List<Setting<?>> settings() {
        return Collections.unmodifiableList(settings);
    }

    public Setting<Boolean> bool(String name, boolean defaultValue, Reload reload, String description) {
        return add(new Setting<>(this, name, Setting.Kind.BOOL, defaultValue, 0, 0, List.of(), reload, description));
    }

    public Setting<Long> int64(String name, long defaultValue, long min, long max, Reload reload, String description) {
        return add(new Setting<>(this, name, Setting.Kind.INT64, defaultValue, min, max, List.of(), reload, description));
    }

    public Setting<Integer> int32(String name, int defaultValue, int min, int max, Reload reload, String description) {
        return add(new Setting<>(this, name, Setting.Kind.INT32, defaultValue, min, max, List.of(), reload, description));
    }

    public Setting<String> string(String name, String defaultValue, Reload reload, String description) {
        return add(new Setting<>(this, name, Setting.Kind.STRING, defaultValue, 0, 0, List.of(), reload, description));
    }

    /** A string that must be one of choices (compared stripped and lower-cased, and kept so). */
    public Setting<String> choice(String name, String defaultValue, Reload reload, String description, String... choices) {
        return add(new Setting<>(this, name, Setting.Kind.STRING, defaultValue, 0, 0, List.of(choices), reload, description));
    }

    public Setting<Path> path(String name, String defaultValue, Reload reload, String description) {
        return add(new Setting<>(this, name, Setting.Kind.PATH, Path.of(defaultValue), 0, 0, List.of(), reload, description));
    }

    private <T> Setting<T> add(Setting<T> s) {
        settings.add(s);
        return s;
    }
}
