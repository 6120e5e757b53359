package io.hostql.tables.system;

import static io.hostql.sql.table.ColumnType.BIGINT;
import static io.hostql.sql.table.ColumnType.INTEGER;
import static io.hostql.sql.table.ColumnType.TEXT;
import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;

import io.hostql.os.Libc;
import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * os_version: /etc/os-release as osquery reads it (plus the old /etc/redhat-release and
 * /etc/gentoo-release). With {@code pid_with_namespace = N} it reads the files of process N's mount
 * namespace through /proc/N/root, which is what osquery does by entering that namespace.
 */
public final class OsVersionTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("os_version", "A single row containing the operating system name and version.")
            .text("name").text("version").integer("major").integer("minor").integer("patch").text("build")
            .text("platform").text("platform_like").text("codename").text("arch")
            .integer("pid_with_namespace", ADDITIONAL, HIDDEN).text("mount_namespace_id", HIDDEN)
            .otherPlatform("darwin", TEXT, "extra").otherPlatform("windows", BIGINT, "install_date")
            .otherPlatform("windows", INTEGER, "revision")
            .build();

    private static final Map<String, String> KEYS = Map.of("NAME", "name", "VERSION", "version", "BUILD_ID", "build",
            "ID", "platform", "ID_LIKE", "platform_like", "VERSION_CODENAME", "codename", "VERSION_ID", "_id");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final Pattern ESCAPED = Pattern.compile("\\\\([\"'$`\\\\])");
    private static final Pattern REDHAT = Pattern.compile("([\\w+\\s]+) .* ([0-9]+)\\.([0-9]+)\\.?(\\w+)?");

    private final Path root;
    private final Path proc;

    public OsVersionTable() {
        this(Path.of("/"), Path.of("/proc"));
    }

    /** root: where etc/ is read from; proc: for pid_with_namespace. */
    OsVersionTable(Path root, Path proc) {
        this.root = root;
        this.proc = proc;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        Set<Long> pids = ctx.equalsLong("pid_with_namespace");
        if (pids.isEmpty()) {
            emit(root, 0, null, rows);
            return;
        }
        for (long pid : pids) {
            Path pidDir = proc.resolve(Long.toString(pid));
            String ns;
            try {
                ns = Files.readSymbolicLink(pidDir.resolve("ns/mnt")).toString();
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                continue; // no such process, or not ours to look into
            }
            int open = ns.indexOf('['), close = ns.indexOf(']');
            String nsId = open >= 0 && close > open ? ns.substring(open + 1, close) : ns;
            emit(pidDir.resolve("root"), pid, nsId, rows);
        }
    }

    private void emit(Path base, long pid, String nsId, RowSink rows) {
        Map<String, String> r = new HashMap<>();
        r.put("name", "Unknown");
        r.put("major", "0");
        r.put("minor", "0");
        r.put("patch", "0");
        r.put("platform", "posix");
        String osRelease = SysFiles.readRaw(base.resolve("etc/os-release"));
        if (osRelease != null && !osRelease.isEmpty()) parseOsRelease(osRelease, r);

        String content = SysFiles.readRaw(base.resolve("etc/redhat-release"));
        String family = "rhel";
        if (content == null) {
            content = SysFiles.readRaw(base.resolve("etc/gentoo-release"));
            family = "gentoo";
        }
        if (content != null) {
            r.put("platform", family);
            r.put("platform_like", family);
            content = SPACES.matcher(content.strip()).replaceAll(" ");
            Matcher m = REDHAT.matcher(content);
            if (m.find()) {
                r.put("name", m.group(1));
                r.put("major", m.group(2));
                r.put("minor", m.group(3));
                r.put("patch", m.group(4) == null || m.group(4).isEmpty() ? "0" : m.group(4));
            }
            r.put("version", content);
            r.remove("build");
        }

        byte[] uts = new byte[65 * 6];
        String arch = Libc.uname(uts) == 0 ? Libc.utsField(uts, 4) : null;
        rows.add().set("name", r.get("name")).set("version", r.get("version"))
                .set("major", integer(r.get("major"))).set("minor", integer(r.get("minor")))
                .set("patch", integer(r.get("patch"))).set("build", r.get("build"))
                .set("platform", r.get("platform")).set("platform_like", r.get("platform_like"))
                .set("codename", r.get("codename")).set("arch", arch)
                .set("pid_with_namespace", pid).set("mount_namespace_id", nsId);
    }

    /** os-release(5) KEY=value lines; like osquery, any other *CODENAME* key fills codename. */
    static void parseOsRelease(String content, Map<String, String> r) {
        for (String line : content.split("\n")) {
            int eq = line.indexOf('=');
            if (eq <= 0) continue;
            String key = line.substring(0, eq).strip();
            if (key.startsWith("#")) continue;
            String column = KEYS.get(key);
            if (column == null) {
                if (!key.contains("CODENAME")) continue;
                column = "codename";
            }
            String value = unquote(line.substring(eq + 1).strip());
            r.put(column, value);
            if (column.equals("_id")) {
                String[] parts = value.split("\\.", 3);
                r.put("major", parts[0]);
                if (parts.length > 1) r.put("minor", parts[1]);
                if (parts.length > 2) r.put("patch", parts[2]);
            }
        }
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'') && v.charAt(v.length() - 1) == v.charAt(0)) {
            v = v.substring(1, v.length() - 1);
            if (v.indexOf('\\') >= 0) v = ESCAPED.matcher(v).replaceAll("$1");
        }
        return v;
    }

    /** The leading digits of a version part ("04" -> 4, "3-beta" -> 3); null when there are none. */
    private static Long integer(String s) {
        if (s == null) return null;
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
        if (i == 0) return null;
        try {
            return Long.parseLong(s.substring(0, Math.min(i, 18)));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
