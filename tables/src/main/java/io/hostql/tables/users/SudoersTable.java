package io.hostql.tables.users;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.os.Dirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * sudoers: the rules of /etc/sudoers and the files it includes (@include/#include,
 * @includedir/#includedir), one row per rule: its first word (header) and the rest (rule_details),
 * with backslash-continued lines joined, as osquery splits them.
 */
public final class SudoersTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("sudoers", "Rules for running commands as other users via sudo.")
            .text("source").text("header").text("rule_details")
            .build();

    /** sudoers(5): no more than 128 files may be nested. */
    private static final int MAX_NEST = 128;

    record Rule(String source, String header, String details) {}

    private final Path file;

    public SudoersTable() {
        this(Path.of("/etc/sudoers"));
    }

    SudoersTable(Path file) {
        this.file = file;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        if (!Files.isReadable(file)) return;
        for (Rule r : rules(file)) rows.add().set("source", r.source()).set("header", r.header()).set("rule_details", r.details());
    }

    static List<Rule> rules(Path root) {
        List<Rule> out = new ArrayList<>();
        read(root, 1, out);
        return out;
    }

    private static void read(Path file, int level, List<Rule> out) {
        if (level > MAX_NEST) return;
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return; // an unreadable include is skipped, as sudo warns and goes on
        }
        String source = file.toString();
        boolean continued = false;
        StringBuilder header = null, details = null;
        for (String raw : text.split("\n", -1)) {
            String line = trim(raw);
            if (line.isEmpty()) continue;
            if (continued) {
                continued = line.endsWith("\\");
                StringBuilder last = details.length() == 0 ? header : details;
                last.setLength(last.length() - 1); // drop the backslash
                details.append(line);
                out.set(out.size() - 1, new Rule(source, header.toString(), details.toString()));
                continue;
            }
            int ws = firstWhitespace(line);
            String head = ws < 0 ? line : line.substring(0, ws);
            boolean include = head.equals("#include") || head.equals("@include");
            boolean includeDir = head.equals("#includedir") || head.equals("@includedir");
            if (line.charAt(0) == '#' && !include && !includeDir) continue; // comment
            String rest = ws < 0 ? "" : trim(line.substring(ws));
            if (rest.isEmpty() && (include || includeDir)) continue;
            if (!include && !includeDir && line.endsWith("\\")) continued = true;
            header = new StringBuilder(head);
            details = new StringBuilder(rest);
            out.add(new Rule(source, head, rest));
            try {
                if (include) {
                    read(resolve(file, rest), level + 1, out);
                } else if (includeDir) {
                    for (Path f : includedFiles(resolve(file, rest))) read(f, level + 1, out);
                }
            } catch (InvalidPathException e) {
                // a target no path can name: nothing to include
            }
        }
    }

    /** Paths are relative to the including file's directory; sudo also accepts them double-quoted. */
    private static Path resolve(Path including, String target) {
        String t = target.length() >= 2 && target.startsWith("\"") && target.endsWith("\"") ? target.substring(1, target.length() - 1) : target;
        Path p = Path.of(t);
        if (p.isAbsolute()) return p;
        Path dir = including.toAbsolutePath().getParent();
        return dir == null ? p : dir.resolve(p);
    }

    /** sudoers(5): files in an includedir whose names contain '.' or end in '~' are skipped; the rest go in lexical order. */
    private static List<Path> includedFiles(Path dir) {
        List<Path> files = new ArrayList<>();
        for (Path p : Dirs.sorted(dir)) {
            String name = p.getFileName().toString();
            if (name.isEmpty() || name.indexOf('.') >= 0 || name.endsWith("~") || !Files.isRegularFile(p)) continue;
            files.add(p);
        }
        return files;
    }

    private static boolean isSudoSpace(char c) {
        return c == ' ' || c == '\t' || c == 0x0B;
    }

    private static String trim(String s) {
        int a = 0, b = s.length();
        while (a < b && isSudoSpace(s.charAt(a))) a++;
        while (b > a && (isSudoSpace(s.charAt(b - 1)) || s.charAt(b - 1) == '\r')) b--;
        return s.substring(a, b);
    }

    private static int firstWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) if (isSudoSpace(s.charAt(i))) return i;
        return -1;
    }
}
