package io.hostql.tables.network;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;

import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.os.Inet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * dns_resolvers: the resolver configuration glibc's res_init() derives from /etc/resolv.conf (the same rules: first
 * 3 nameservers, 127.0.0.1 when none, last domain/search line wins, hostname's domain when neither, first 6 search
 * domains within 256 bytes, 10 sortlist entries, and _res.options as a bitmask). With
 * {@code pid_with_namespace = N} it reads /proc/N/root/etc/resolv.conf instead.
 */
public final class DnsResolversTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("dns_resolvers",
                    "Resolvers used by this host.")
            .integer("id").text("type").text("address").text("netmask").bigint("options")
            .integer("pid_with_namespace", ADDITIONAL, HIDDEN)
            .build();

    static final int MAXNS = 3, MAXDNSRCH = 6, MAXRESOLVSORT = 10, MAXDNAME = 256;
    static final long RES_INIT = 0x1, RES_USEVC = 0x8, RES_RECURSE = 0x40, RES_DEFNAMES = 0x80, RES_DNSRCH = 0x200,
            RES_ROTATE = 0x4000, RES_USE_EDNS0 = 0x100000, RES_SNGLKUP = 0x200000, RES_SNGLKUPREOP = 0x400000,
            RES_NOTLDQUERY = 0x1000000, RES_NORELOAD = 0x2000000, RES_TRUSTAD = 0x4000000, RES_NOAAAA = 0x8000000;
    static final long RES_DEFAULT = RES_RECURSE | RES_DEFNAMES | RES_DNSRCH;

    // Option names in glibc's order: the first prefix match wins ("single-request-reopen" before "single-request").
    private static final String[] OPTION_NAMES = {"rotate", "edns0", "single-request-reopen", "single-request",
            "no_tld_query", "no-tld-query", "no-reload", "use-vc", "trust-ad", "no-aaaa"};
    private static final long[] OPTION_FLAGS = {RES_ROTATE, RES_USE_EDNS0, RES_SNGLKUPREOP, RES_SNGLKUP,
            RES_NOTLDQUERY, RES_NOTLDQUERY, RES_NORELOAD, RES_USEVC, RES_TRUSTAD, RES_NOAAAA};

    private final Path file;
    private final Path hostnameFile;

    public DnsResolversTable() {
        this(Path.of("/etc/resolv.conf"), Path.of("/proc/sys/kernel/hostname"));
    }

    DnsResolversTable(Path file, Path hostnameFile) {
        this.file = file;
        this.hostnameFile = hostnameFile;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        Set<Long> pids = ctx.equalsLong("pid_with_namespace");
        if (pids.isEmpty()) {
            emit(parse(read(file), hostname()), 0, rows);
            return;
        }
        for (long pid : pids) {
            if (pid <= 0) continue;
            Path root = Path.of("/proc/" + pid + "/root");
            if (!Files.isDirectory(root)) continue; // no such process (or not ours to see)
            String text;
            try {
                text = read(inRoot(root, file));
            } catch (IOException e) {
                continue;
            }
            emit(parse(text, hostname()), pid, rows);
        }
    }

    private static void emit(Config c, long pid, RowSink rows) {
        for (int i = 0; i < c.nameservers.size(); i++) {
            String a = c.nameservers.get(i);
            rows.add().set("id", i).set("type", "nameserver").set("address", a)
                    .set("netmask", a.indexOf(':') >= 0 ? "128" : "32").set("options", c.options)
                    .set("pid_with_namespace", pid);
        }
        for (int i = 0; i < c.sortlist.size(); i++) {
            String[] e = c.sortlist.get(i);
            rows.add().set("id", i).set("type", "sortlist").set("address", e[0]).set("netmask", e[1])
                    .set("options", c.options).set("pid_with_namespace", pid);
        }
        for (int i = 0; i < c.search.size(); i++) {
            String d = new String(c.search.get(i).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            rows.add().set("id", i).set("type", "search").set("address", d)
                    .set("options", c.options).set("pid_with_namespace", pid);
        }
    }

    /** {@code file} as seen from {@code root}: a symlink (often to /run/...) is followed inside that root, not ours. */
    static Path inRoot(Path root, Path file) throws IOException {
        Path p = root.resolve(file.toString().substring(1));
        for (int hops = 0; hops < 40 && Files.isSymbolicLink(p); hops++) {
            Path target = Files.readSymbolicLink(p);
            p = target.isAbsolute() ? root.resolve(target.toString().substring(1)) : p.getParent().resolve(target);
        }
        return p;
    }

    /** null when the file is absent (glibc then uses its defaults). */
    private static String read(Path p) throws IOException {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private String hostname() {
        byte[] b = SysFiles.readBytes(hostnameFile); // a /proc/sys file
        return b == null ? "" : new String(b, StandardCharsets.ISO_8859_1).strip();
    }

    /** What res_init() would hold: nameserver addresses, [address, netmask] sortlist pairs, search domains, options. */
    record Config(List<String> nameservers, List<String[]> sortlist, List<String> search, long options) {}

    static Config parse(String text, String hostname) {
        List<String> ns = new ArrayList<>();
        List<String[]> sort = new ArrayList<>();
        List<String> search = new ArrayList<>();
        long options = RES_DEFAULT | RES_INIT;
        if (text != null) {
            for (String line : text.split("\n", -1)) {
                if (line.isEmpty() || line.charAt(0) == ';' || line.charAt(0) == '#') continue;
                String rest;
                if ((rest = keyword(line, "domain")) != null) {
                    rest = skipBlanks(rest);
                    if (rest.isEmpty()) continue;
                    search.clear();
                    search.add(rest.split("[ \t]", 2)[0]);
                } else if ((rest = keyword(line, "search")) != null) {
                    rest = skipBlanks(rest);
                    if (rest.isEmpty()) continue;
                    search.clear();
                    for (String d : rest.split("[ \t]+")) if (!d.isEmpty()) search.add(d);
                } else if ((rest = keyword(line, "nameserver")) != null) {
                    String a = nameserver(skipBlanks(rest).split("[ \t]", 2)[0]);
                    if (a != null) ns.add(a);
                } else if ((rest = keyword(line, "sortlist")) != null) {
                    sortlist(rest, sort);
                } else if ((rest = keyword(line, "options")) != null) {
                    options = options(rest, options);
                }
            }
        }
        if (ns.isEmpty()) ns.add("127.0.0.1");
        if (search.isEmpty()) {
            int dot = hostname.indexOf('.');
            if (dot >= 0 && dot + 1 < hostname.length()) search.add(hostname.substring(dot + 1));
        }
        // _res holds a prefix of each list.
        List<String> dnsrch = new ArrayList<>();
        int used = 0;
        for (String d : search) {
            int need = d.getBytes(StandardCharsets.ISO_8859_1).length + 1;
            if (dnsrch.size() == MAXDNSRCH || used + need > MAXDNAME) break;
            used += need;
            dnsrch.add(d);
        }
        return new Config(List.copyOf(ns.subList(0, Math.min(ns.size(), MAXNS))),
                List.copyOf(sort.subList(0, Math.min(sort.size(), MAXRESOLVSORT))), dnsrch, options);
    }

    /** The rest of the line after {@code name} and one blank, or null (glibc's MATCH: the keyword at column 0). */
    private static String keyword(String line, String name) {
        if (!line.startsWith(name) || line.length() <= name.length()) return null;
        char c = line.charAt(name.length());
        return c == ' ' || c == '\t' ? line.substring(name.length() + 1) : null;
    }

    private static String skipBlanks(String s) {
        int i = 0;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) i++;
        return s.substring(i);
    }

    private static String nameserver(String token) {
        if (token.isEmpty()) return null;
        Long v4 = Inet.aton(token);
        if (v4 != null) return (v4 >>> 24) + "." + ((v4 >>> 16) & 0xff) + "." + ((v4 >>> 8) & 0xff) + "." + (v4 & 0xff);
        int pct = token.indexOf('%');
        String addr = pct >= 0 ? token.substring(0, pct) : token;
        byte[] v6 = addr.isEmpty() ? null : Inet.pton6(addr);
        if (v6 == null) return null;
        String text = Inet.ntop6(v6, 0);
        boolean linkLocal = (v6[0] & 0xff) == 0xfe && (v6[1] & 0xc0) == 0x80;
        return pct >= 0 && linkLocal && pct + 1 < token.length() ? text + "%" + token.substring(pct + 1) : text;
    }

    private static void sortlist(String rest, List<String[]> out) {
        int i = 0, n = rest.length();
        while (true) {
            while (i < n && (rest.charAt(i) == ' ' || rest.charAt(i) == '\t')) i++;
            if (i >= n || rest.charAt(i) == ';') break;
            int start = i;
            while (i < n && !isSortMask(rest.charAt(i)) && rest.charAt(i) != ';' && isAsciiNonSpace(rest.charAt(i))) i++;
            Long addr = Inet.aton(rest.substring(start, i));
            char sep = i < n ? rest.charAt(i) : 0;
            Long mask = null;
            if (isSortMask(sep)) {
                int ms = ++i;
                while (i < n && rest.charAt(i) != ';' && isAsciiNonSpace(rest.charAt(i))) i++;
                if (addr != null) mask = Inet.aton(rest.substring(ms, i));
            }
            if (addr != null) {
                if (mask == null) mask = classfulMask(addr);
                out.add(new String[] {dotted(addr), netmaskText(mask)});
            }
            if (i == start) break; // a character glibc would spin on forever ('\r', non-ASCII): stop instead
        }
    }

    private static boolean isSortMask(char c) {
        return c == '/' || c == '&';
    }

    private static boolean isAsciiNonSpace(char c) {
        return c < 128 && c != ' ' && c != '\t' && c != '\n' && c != 0x0b && c != '\f' && c != '\r';
    }

    private static long classfulMask(long a) {
        if ((a & 0x80000000L) == 0) return 0xff000000L;
        if ((a & 0xc0000000L) == 0x80000000L) return 0xffff0000L;
        return 0xffffff00L;
    }

    private static String dotted(long a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }

    /** A contiguous mask as its prefix length (as "32" is for a nameserver); any other mask as a dotted quad. */
    private static String netmaskText(long mask) {
        byte[] b = {(byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask};
        int bits = Inet.prefixLength(b, 0, 4);
        return bits >= 0 ? Integer.toString(bits) : dotted(mask);
    }

    private static long options(String rest, long options) {
        int i = 0, n = rest.length();
        while (i < n) {
            while (i < n && (rest.charAt(i) == ' ' || rest.charAt(i) == '\t')) i++;
            for (int k = 0; k < OPTION_NAMES.length; k++) {
                if (rest.startsWith(OPTION_NAMES[k], i)) {
                    options |= OPTION_FLAGS[k];
                    break;
                }
            }
            while (i < n && rest.charAt(i) != ' ' && rest.charAt(i) != '\t') i++;
        }
        return options;
    }
}
