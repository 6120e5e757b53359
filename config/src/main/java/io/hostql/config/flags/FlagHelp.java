package io.hostql.config.flags;

import java.util.function.Predicate;

/** --help's list of flags, from their declarations, as osquery prints its own: group by group, one flag a line. */
public final class FlagHelp {
    private static final int COLUMN = 44;

    private FlagHelp() {}

    /** The flags of the groups chosen, each as "--name=type  description (default …; range; SIGHUP)". */
    public static String describe(Predicate<SettingGroup> groups) {
        StringBuilder b = new StringBuilder();
        for (SettingGroup g : AllFlags.GROUPS) {
            if (!groups.test(g)) continue;
            b.append('\n').append(g.title()).append(":\n");
            for (Setting<?> s : g.settings()) b.append(line(s)).append('\n');
        }
        return b.toString();
    }

    static String line(Setting<?> s) {
        String head = "  --" + s.name() + (s.isBool() ? "" : "=" + (s.choices().isEmpty() ? s.type() : "choice"));
        StringBuilder b = new StringBuilder(head);
        b.append(" ".repeat(Math.max(1, COLUMN - head.length())));
        b.append(s.description()).append(" (default ").append(shownDefault(s));
        String range = s.range();
        if (range != null) b.append("; ").append(s.choices().isEmpty() ? range : "one of " + range);
        if (s.reloads()) b.append("; SIGHUP applies it");
        return b.append(')').toString();
    }

    private static String shownDefault(Setting<?> s) {
        String d = String.valueOf(s.defaultValue());
        return d.isEmpty() ? "empty" : d;
    }
}
