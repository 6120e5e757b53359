package io.hostql.tables.packages;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.os.Dirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * apt_sources: the "deb" entries of /etc/apt/sources.list, sources.list.d/*.list (one-line format)
 * and sources.list.d/*.sources (deb822), each with the Origin, Version, Codename, Components and
 * Architectures of the Release file apt fetched for it into /var/lib/apt/lists, when there is one.
 */
public final class AptSourcesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("apt_sources", "Current list of APT repositories or software channels.")
            .text("name").text("source").text("base_uri").text("release").text("version").text("maintainer")
            .text("components").text("architectures").integer("pid_with_namespace", ADDITIONAL, HIDDEN)
            .build();

    private static final java.util.regex.Pattern BLANKS = java.util.regex.Pattern.compile("\\s+");

    private final Path etcApt;
    private final Path lists;

    public AptSourcesTable() {
        this(Path.of("/etc/apt"), Path.of("/var/lib/apt/lists"));
    }

    AptSourcesTable(Path etcApt, Path lists) {
        this.etcApt = etcApt;
        this.lists = lists;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    /** One repository: a URI and a suite. */
    record Source(String file, String uri, String suite) {
        /** osquery's name: the URI without its scheme, then the suite. */
        String name() {
            int p = uri.indexOf("://");
            return (p >= 0 ? uri.substring(p + 3) : uri.substring(uri.indexOf(':') + 1)) + " " + suite;
        }
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        for (Source s : sources()) {
            Release rel = release(s);
            RowSink.Row r = rows.add().set("name", s.name()).set("source", s.file()).set("base_uri", s.uri())
                    .set("pid_with_namespace", 0);
            if (rel != null) {
                r.set("release", rel.codename).set("version", rel.version).set("maintainer", rel.origin)
                        .set("components", rel.components).set("architectures", rel.architectures);
            }
        }
    }

    List<Source> sources() {
        List<Source> out = new ArrayList<>();
        Path main = etcApt.resolve("sources.list");
        if (Files.isRegularFile(main)) parseOneLine(main.toString(), read(main), out);
        Path dir = etcApt.resolve("sources.list.d");
        List<Path> list = new ArrayList<>();
        List<Path> deb822 = new ArrayList<>();
        for (Path p : Dirs.regularFiles(dir)) { // none without sources.list.d
            String n = p.getFileName().toString();
            if (n.endsWith(".list")) list.add(p);
            else if (n.endsWith(".sources")) deb822.add(p);
        }
        for (Path p : list) parseOneLine(p.toString(), read(p), out);
        for (Path p : deb822) parseDeb822(p.toString(), read(p), out);
        return out;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException | java.io.UncheckedIOException e) {
            try {
                return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
            } catch (IOException e2) {
                return "";
            }
        }
    }

    /** sources.list(5) one-line style: {@code deb [options] uri suite [component...]}; deb-src is skipped. */
    static void parseOneLine(String file, String text, List<Source> out) {
        for (String line : text.split("\n")) {
            int hash = line.indexOf('#');
            if (hash >= 0) line = line.substring(0, hash);
            String[] t = BLANKS.split(line.trim());
            if (t.length < 3 || !t[0].equals("deb")) continue;
            int k = 1;
            if (t[k].startsWith("[")) {
                while (k < t.length && !t[k].contains("]")) k++;
                k++;
            }
            if (k + 1 >= t.length) continue;
            String uri = trimSlashes(t[k]);
            if (!hasScheme(uri)) continue;
            out.add(new Source(file, uri, t[k + 1]));
        }
    }

    /** deb822 style: stanzas of Types/URIs/Suites, each a list; one source per URI and suite. */
    static void parseDeb822(String file, String text, List<Source> out) {
        List<String> types = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        List<String> suites = new ArrayList<>();
        boolean[] enabled = {true};
        String lastKey = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i <= lines.length; i++) {
            String line = i < lines.length ? stripCr(lines[i]) : "";
            if (line.isBlank()) {
                if (enabled[0] && types.contains("deb")) {
                    for (String u : uris) {
                        String uri = trimSlashes(u);
                        if (!hasScheme(uri)) continue;
                        for (String s : suites) out.add(new Source(file, uri, s));
                    }
                }
                types.clear();
                uris.clear();
                suites.clear();
                enabled[0] = true;
                lastKey = null;
                continue;
            }
            if (line.startsWith("#")) continue;
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                // a continuation line adds values to the field above it
                if (lastKey != null) addValues(lastKey, line, types, uris, suites, enabled);
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) continue;
            lastKey = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            addValues(lastKey, line.substring(colon + 1), types, uris, suites, enabled);
        }
    }

    private static void addValues(String key, String value, List<String> types, List<String> uris, List<String> suites,
            boolean[] enabled) {
        List<String> target;
        switch (key) {
            case "types":
                target = types;
                break;
            case "uris":
                target = uris;
                break;
            case "suites":
                target = suites;
                break;
            case "enabled": {
                String v = value.trim().toLowerCase(Locale.ROOT);
                if (v.equals("no") || v.equals("false") || v.equals("off") || v.equals("without") || v.equals("disable")) {
                    enabled[0] = false;
                }
                return;
            }
            default:
                return;
        }
        for (String v : BLANKS.split(value.trim())) if (!v.isEmpty()) target.add(v);
    }

    private static String stripCr(String s) {
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static boolean hasScheme(String uri) {
        int colon = uri.indexOf(':');
        if (colon <= 0) return false;
        for (int i = 0; i < colon; i++) {
            char c = uri.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.')) return false;
        }
        return uri.length() > colon + 1;
    }

    private static String trimSlashes(String uri) {
        int end = uri.length();
        while (end > 0 && uri.charAt(end - 1) == '/') end--;
        return uri.substring(0, end);
    }

    /** The Release fields osquery reports. */
    record Release(String origin, String version, String codename, String components, String architectures) {}

    /** The InRelease (or Release) file apt keeps for this source, or null. */
    Release release(Source s) {
        String base = s.uri() + "/";
        String suite = s.suite();
        String index;
        if (suite.endsWith("/")) {
            // a flat repository: the suite is a path below the URI
            index = suite.equals("./") || suite.equals("/") ? base : base + suite;
        } else {
            index = base + "dists/" + suite + "/";
        }
        String prefix = uriToFileName(index);
        for (String name : new String[] {prefix + "InRelease", prefix + "Release"}) {
            Path p = lists.resolve(name);
            if (!Files.isRegularFile(p)) continue;
            return parseRelease(read(p));
        }
        return null;
    }

    static Release parseRelease(String text) {
        String origin = null, version = null, codename = null, components = null, architectures = null;
        boolean signed = text.startsWith("-----BEGIN PGP SIGNED MESSAGE-----");
        boolean inBody = !signed;
        for (String raw : text.split("\n")) {
            String line = stripCr(raw);
            if (line.equals("-----BEGIN PGP SIGNATURE-----")) break;
            if (!inBody) {
                // the armor header (Hash: ...) ends at the first blank line
                if (line.isEmpty()) inBody = true;
                continue;
            }
            if (line.isEmpty() || line.charAt(0) == ' ' || line.charAt(0) == '\t') continue;
            int colon = line.indexOf(':');
            if (colon <= 0) continue;
            String key = line.substring(0, colon);
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "Origin" -> origin = value;
                case "Version" -> version = value;
                case "Codename" -> codename = value;
                case "Components" -> components = value;
                case "Architectures" -> architectures = value;
                default -> { }
            }
        }
        return new Release(origin, version, codename, components, architectures);
    }

    /** apt's URItoFileName: the URI without scheme and credentials, escaped, with '/' turned into '_'. */
    static String uriToFileName(String uri) {
        String rest = uri;
        int scheme = rest.indexOf("://");
        if (scheme >= 0) {
            rest = rest.substring(scheme + 3);
            int slash = rest.indexOf('/');
            int at = rest.lastIndexOf('@', slash < 0 ? rest.length() : slash);
            if (at >= 0) rest = rest.substring(at + 1);
        } else {
            int colon = rest.indexOf(':');
            if (colon >= 0) rest = rest.substring(colon + 1);
        }
        StringBuilder sb = new StringBuilder(rest.length() + 8);
        for (byte b : rest.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f || "\\|{}[]<>\"^~_=!@#$%*".indexOf(c) >= 0) {
                sb.append('%').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            } else if (c == '/') {
                sb.append('_');
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
