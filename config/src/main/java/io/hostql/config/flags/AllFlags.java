package io.hostql.config.flags;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every hostql flag, by group. The parser needs them all to refuse an unknown flag, whichever
 * program runs. A new group's class is listed here once; a new flag is only its declaration.
 */
public final class AllFlags {
    public static final List<SettingGroup> GROUPS = List.of(DaemonFlags.GROUP, EventFlags.GROUP, AuditFlags.GROUP, TableFlags.GROUP,
            ScheduleFlags.GROUP, WatchdogFlags.GROUP, LoggerFlags.GROUP, RemoteFlags.GROUP, ShellFlags.GROUP);

    private static final Map<String, Setting<?>> BY_NAME = index();

    private AllFlags() {}

    private static Map<String, Setting<?>> index() {
        Map<String, Setting<?>> out = new LinkedHashMap<>();
        for (SettingGroup g : GROUPS) {
            for (Setting<?> s : g.settings()) {
                if (out.put(s.name(), s) != null) throw new IllegalStateException("flag --" + s.name() + " is declared twice");
            }
        }
        return out;
    }

    /** The declaration of a flag, or null when hostql has none of that name. */
    public static Setting<?> named(String name) {
        return BY_NAME.get(name);
    }

    /** Every declaration, group by group in declaration order. */
    public static Iterable<Setting<?>> all() {
        return BY_NAME.values();
    }

    public static int count() {
        return BY_NAME.size();
    }
}
