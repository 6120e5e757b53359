package io.hostql.tables.packages;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * deb_packages: the dpkg database (admindir/status plus the not yet merged admindir/updates/*
 * journal, as libdpkg reads it), every package whose status is not "not-installed".
 */
public final class DebPackagesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("deb_packages", "The installed DEB package database.")
            .text("name").text("version").text("source").bigint("size").text("arch").text("revision")
            .text("status").text("maintainer").text("section").text("priority")
            .text("admindir", ADDITIONAL, OPTIMIZED)
            .integer("pid_with_namespace", ADDITIONAL, HIDDEN).text("mount_namespace_id", HIDDEN)
            .build();

    static final String DEFAULT_ADMINDIR = "/var/lib/dpkg";

    private final String defaultAdmindir;

    public DebPackagesTable() {
        this(DEFAULT_ADMINDIR);
    }

    DebPackagesTable(String defaultAdmindir) {
        this.defaultAdmindir = defaultAdmindir;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        Set<String> dirs = ctx.equalsText("admindir");
        if (dirs.isEmpty()) dirs = Set.of(defaultAdmindir);
        for (String admindir : dirs) {
            for (Pkg p : read(Path.of(admindir))) {
                if (p.notInstalled()) continue;
                rows.add().set("name", p.name).set("version", p.version()).set("source", p.source)
                        .set("size", p.size()).set("arch", p.arch).set("revision", p.revision())
                        .set("status", p.status).set("maintainer", p.maintainer).set("section", p.section)
                        .set("priority", p.priority == null ? "unknown" : p.priority)
                        .set("admindir", admindir).set("pid_with_namespace", 0);
            }
        }
    }

    /** The package records of one admindir; an admindir without a status file has none. */
    static List<Pkg> read(Path admindir) throws IOException {
        byte[] status;
        try {
            status = Files.readAllBytes(admindir.resolve("status"));
        } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
            return List.of();
        }
        List<Pkg> pkgs = new ArrayList<>(1024);
        parse(status, pkgs);
        Map<String, Path> updates = updates(admindir.resolve("updates"));
        if (updates.isEmpty()) return pkgs;
        // dpkg journals each change as updates/NNNN until the next run folds them into status.
        Map<String, Pkg> byKey = new LinkedHashMap<>();
        for (Pkg p : pkgs) byKey.put(p.key(), p);
        for (Path u : updates.values()) {
            List<Pkg> changed = new ArrayList<>();
            try {
                parse(Files.readAllBytes(u), changed);
            } catch (NoSuchFileException e) {
                continue;
            }
            for (Pkg p : changed) byKey.put(p.key(), p);
        }
        return new ArrayList<>(byKey.values());
    }

    private static Map<String, Path> updates(Path dir) {
        Map<String, Path> out = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.isEmpty() && n.chars().allMatch(c -> c >= '0' && c <= '9')) out.put(n, p);
            }
        } catch (IOException e) {
            return Map.of();
        }
        return out;
    }

    private static final byte[] PACKAGE = ascii("Package");
    private static final byte[] STATUS = ascii("Status");
    private static final byte[] PRIORITY = ascii("Priority");
    private static final byte[] SECTION = ascii("Section");
    private static final byte[] INSTALLED_SIZE = ascii("Installed-Size");
    private static final byte[] MAINTAINER = ascii("Maintainer");
    private static final byte[] ARCHITECTURE = ascii("Architecture");
    private static final byte[] SOURCE = ascii("Source");
    private static final byte[] VERSION = ascii("Version");

    /** One pass over the bytes: only the fields the table shows are decoded. */
    static void parse(byte[] d, List<Pkg> out) {
        int n = d.length;
        int i = 0;
        Pkg cur = null;
        while (i < n) {
            int e = i;
            while (e < n && d[e] != '\n') e++;
            int end = e > i && d[e - 1] == '\r' ? e - 1 : e;
            if (end == i) {
                if (cur != null && cur.name != null) out.add(cur);
                cur = null;
            } else if (d[i] != ' ' && d[i] != '\t' && d[i] != '#') {
                int colon = i;
                while (colon < end && d[colon] != ':') colon++;
                if (colon < end) {
                    if (cur == null) cur = new Pkg();
                    int klen = colon - i;
                    switch (d[i]) {
                        case 'P':
                            if (is(d, i, klen, PACKAGE)) cur.name = value(d, colon + 1, end);
                            else if (is(d, i, klen, PRIORITY)) cur.priority = value(d, colon + 1, end);
                            break;
                        case 'S':
                            if (is(d, i, klen, STATUS)) cur.status = value(d, colon + 1, end);
                            else if (is(d, i, klen, SECTION)) cur.section = value(d, colon + 1, end);
                            else if (is(d, i, klen, SOURCE)) cur.source = value(d, colon + 1, end);
                            break;
                        case 'I':
                            if (is(d, i, klen, INSTALLED_SIZE)) cur.size = value(d, colon + 1, end);
                            break;
                        case 'M':
                            if (is(d, i, klen, MAINTAINER)) cur.maintainer = value(d, colon + 1, end);
                            break;
                        case 'A':
                            if (is(d, i, klen, ARCHITECTURE)) cur.arch = value(d, colon + 1, end);
                            break;
                        case 'V':
                            if (is(d, i, klen, VERSION)) cur.rawVersion = value(d, colon + 1, end);
                            break;
                        default:
                            break;
                    }
                }
            }
            i = e + 1;
        }
        if (cur != null && cur.name != null) out.add(cur);
    }

    private static boolean is(byte[] d, int off, int len, byte[] key) {
        if (len != key.length) return false;
        for (int k = 0; k < len; k++) if (d[off + k] != key[k]) return false;
        return true;
    }

    private static String value(byte[] d, int from, int to) {
        while (from < to && (d[from] == ' ' || d[from] == '\t')) from++;
        while (to > from && (d[to - 1] == ' ' || d[to - 1] == '\t')) to--;
        if (from == to) return "";
        boolean ascii = true;
        for (int k = from; k < to; k++) {
            if (d[k] < 0) {
                ascii = false;
                break;
            }
        }
        return new String(d, from, to - from, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** One status stanza. */
    static final class Pkg {
        String name;
        String status;
        String priority;
        String section;
        String size;
        String maintainer;
        String arch;
        String source;
        String rawVersion;

        String key() {
            return name + ':' + arch;
        }

        boolean notInstalled() {
            return status == null || status.endsWith(" not-installed") || status.equals("not-installed");
        }

        Long size() {
            if (size == null) return null;
            try {
                return Long.parseLong(size);
            } catch (NumberFormatException e) {
                return null;
            }
        }

        /** libdpkg's "nonambig" form: the epoch only where it is non-zero or needed to parse back. */
        String version() {
            if (rawVersion == null || rawVersion.isEmpty()) return rawVersion;
            String v = rawVersion;
            long epoch = 0;
            int colon = v.indexOf(':');
            if (colon >= 0) {
                try {
                    epoch = Long.parseLong(v.substring(0, colon));
                } catch (NumberFormatException e) {
                    return rawVersion;
                }
                v = v.substring(colon + 1);
            }
            int dash = v.lastIndexOf('-');
            String upstream = dash >= 0 ? v.substring(0, dash) : v;
            String revision = dash >= 0 ? v.substring(dash + 1) : "";
            StringBuilder sb = new StringBuilder(rawVersion.length());
            if (epoch != 0 || upstream.indexOf(':') >= 0 || revision.indexOf(':') >= 0) sb.append(epoch).append(':');
            sb.append(upstream);
            if (!revision.isEmpty()) sb.append('-').append(revision);
            return sb.toString();
        }

        String revision() {
            if (rawVersion == null) return "";
            int colon = rawVersion.indexOf(':');
            String v = colon >= 0 ? rawVersion.substring(colon + 1) : rawVersion;
            int dash = v.lastIndexOf('-');
            return dash >= 0 ? v.substring(dash + 1) : "";
        }
    }
}
