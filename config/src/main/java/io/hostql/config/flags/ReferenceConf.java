package io.hostql.config.flags;

/**
 * reference.conf, the HOCON list of every flag with its default, rendered from the declarations.
 * Nothing reads the file at run time: it is documentation, kept in the repository next to the
 * declarations, and a test (ReferenceConfTest) fails when it differs from this rendering, which it
 * can also write back.
 */
public final class ReferenceConf {
    private ReferenceConf() {}

    public static String render() {
        StringBuilder b = new StringBuilder();
        b.append("# hostql's settings and their defaults. GENERATED from the declarations in io.hostql.config.flags\n");
        b.append("# (config/src/main/java/io/hostql/config/flags/*Flags.java): edit those, then run\n");
        b.append("#   ./mvnw -B -o -ntp -pl config verify -Dtest=ReferenceConfTest -Dhostql.writeReferenceConf=true\n");
        b.append("# Every key is an osquery flag name, so `--database_path DIR` on the command line, a line\n");
        b.append("# `--database_path=DIR` in a --flagfile, HOSTQL_DATABASE_PATH in the environment, or \"database_path\"\n");
        b.append("# in the config's options overrides it. Above each key: its description, then its type, its range\n");
        b.append("# and whether SIGHUP applies a change in the config's options (else it takes effect at restart).\n");
        b.append("hostql {\n");
        boolean first = true;
        for (SettingGroup g : AllFlags.GROUPS) {
            if (!first) b.append('\n');
            first = false;
            b.append("  # ---- ").append(g.title()).append('\n');
            for (Setting<?> s : g.settings()) {
                b.append("  # ").append(s.description()).append('\n');
                b.append("  # ").append(s.type());
                if (s.range() != null) b.append(", ").append(s.choices().isEmpty() ? s.range() : "one of " + s.range());
                b.append(s.reloads() ? ", SIGHUP applies it" : ", at restart").append('\n');
                b.append("  ").append(s.name()).append(" = ").append(hocon(s.defaultValue())).append('\n');
            }
        }
        return b.append("}\n").toString();
    }

    private static String hocon(Object v) {
        if (v instanceof Boolean || v instanceof Number) return v.toString();
        return '"' + v.toString().replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
