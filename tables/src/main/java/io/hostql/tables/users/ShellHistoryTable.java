package io.hostql.tables.users;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * shell_history: commands from each user's shell history files. Understands bash's
 * HISTTIMEFORMAT comments ("#1700000000" before a command) and zsh's extended format
 * (": 1700000000:0;command", multi-line commands continued with a trailing backslash, and zsh's
 * metafied bytes); other lines have time 0. Commands are passed as raw bytes.
 */
public final class ShellHistoryTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("shell_history", "A line-delimited (command) table of per-user .*_history data.")
            .bigint("uid", ADDITIONAL, OPTIMIZED).integer("time").text("command").text("history_file")
            .build();

    static final String[] FILES = {".bash_history", ".zsh_history", ".zhistory", ".history", ".sh_history"};

    private final Path passwdFile;

    public ShellHistoryTable() {
        this(null);
    }

    /** passwdFile: users (and homes) read instead of /etc/passwd (tests). */
    ShellHistoryTable(Path passwdFile) {
        this.passwdFile = passwdFile;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        for (Passwd.User u : HomeUsers.of(ctx, passwdFile)) {
            List<Path> files = new ArrayList<>();
            for (String name : FILES) {
                Path f = HomeUsers.file(u, name);
                if (f != null) files.add(f);
            }
            Path sessions = HomeUsers.file(u, ".bash_sessions");
            if (sessions != null && Files.isDirectory(sessions)) {
                List<Path> s = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(sessions, "*.history")) {
                    ds.forEach(s::add);
                } catch (IOException e) {
                    // unreadable sessions directory: skip it
                }
                s.sort(null);
                files.addAll(s);
            }
            for (Path f : files) {
                byte[] content = HomeUsers.read(u, f, HomeUsers.READ_MAX);
                if (content == null) continue;
                String file = f.toString();
                parse(content, isZsh(f), (time, command) -> rows.add().set("uid", u.uid()).set("time", time)
                        .set("command", command).set("history_file", file));
            }
        }
    }

    private static boolean isZsh(Path f) {
        String n = f.getFileName().toString();
        return n.equals(".zsh_history") || n.equals(".zhistory");
    }

    /** Calls out(time, command bytes) for each command in a history file. zsh: unmetafy commands. */
    static void parse(byte[] b, boolean zsh, BiConsumer<Long, byte[]> out) {
        Long bashTime = null;
        Long zshTime = null;
        ByteArrayOutputStream multi = null; // a zsh command continued on the next line
        int start = 0, n = b.length;
        while (start < n) {
            int end = start;
            while (end < n && b[end] != '\n') end++;
            int lineStart = start, lineEnd = end;
            start = end + 1;
            if (multi != null) {
                multi.write('\n');
                boolean more = lineEnd > lineStart && b[lineEnd - 1] == '\\';
                multi.write(b, lineStart, lineEnd - lineStart - (more ? 1 : 0));
                if (!more) {
                    out.accept(zshTime, finish(multi.toByteArray(), zsh));
                    multi = null;
                }
                continue;
            }
            if (lineEnd == lineStart) continue;
            if (bashTime == null) {
                long t = bashTimestamp(b, lineStart, lineEnd);
                if (t >= 0) {
                    bashTime = t;
                    continue;
                }
            }
            if (bashTime != null) {
                out.accept(bashTime, finish(slice(b, lineStart, lineEnd), zsh));
                bashTime = null;
                continue;
            }
            int cmd = zshCommandStart(b, lineStart, lineEnd);
            if (cmd >= 0) {
                zshTime = parseLong(b, skipSpaces(b, lineStart + 1, lineEnd), b.length);
                if (lineEnd > cmd && b[lineEnd - 1] == '\\') {
                    multi = new ByteArrayOutputStream();
                    multi.write(b, cmd, lineEnd - 1 - cmd);
                    continue;
                }
                out.accept(zshTime, finish(slice(b, cmd, lineEnd), zsh));
                continue;
            }
            out.accept(0L, finish(slice(b, lineStart, lineEnd), zsh));
        }
        if (multi != null) out.accept(zshTime, finish(multi.toByteArray(), zsh)); // file ended mid-command
    }

    /** "#digits" alone on a line: bash's timestamp comment; -1 if not one. */
    private static long bashTimestamp(byte[] b, int from, int to) {
        if (b[from] != '#' || to - from < 2 || to - from > 19) return -1;
        for (int i = from + 1; i < to; i++) if (b[i] < '0' || b[i] > '9') return -1;
        return parseLong(b, from + 1, to);
    }

    /** Where the command of ": {0,10}<1-11 digits>:<digits>;cmd" starts; -1 if the line is not that. */
    private static int zshCommandStart(byte[] b, int from, int to) {
        if (b[from] != ':') return -1;
        int i = skipSpaces(b, from + 1, to);
        if (i - from - 1 > 10) return -1;
        int d = i;
        while (i < to && b[i] >= '0' && b[i] <= '9') i++;
        if (i == d || i - d > 11 || i >= to || b[i] != ':') return -1;
        int e = ++i;
        while (i < to && b[i] >= '0' && b[i] <= '9') i++;
        if (i == e || i >= to || b[i] != ';') return -1;
        return i + 1;
    }

    private static int skipSpaces(byte[] b, int from, int to) {
        int i = from;
        while (i < to && b[i] == ' ') i++;
        return i;
    }

    private static long parseLong(byte[] b, int from, int to) {
        long v = 0;
        for (int i = from; i < to && b[i] >= '0' && b[i] <= '9'; i++) v = v * 10 + (b[i] - '0');
        return v;
    }

    private static byte[] slice(byte[] b, int from, int to) {
        byte[] r = new byte[to - from];
        System.arraycopy(b, from, r, 0, r.length);
        return r;
    }

    /** zsh writes NUL and bytes 0x83-0xa2 as Meta (0x83) followed by the byte xor 32. */
    private static byte[] finish(byte[] cmd, boolean zsh) {
        if (!zsh) return cmd;
        int meta = -1;
        for (int i = 0; i < cmd.length; i++) if ((cmd[i] & 0xFF) == 0x83) { meta = i; break; }
        if (meta < 0) return cmd;
        ByteArrayOutputStream o = new ByteArrayOutputStream(cmd.length);
        o.write(cmd, 0, meta);
        for (int i = meta; i < cmd.length; i++) {
            int c = cmd[i] & 0xFF;
            if (c == 0x83 && i + 1 < cmd.length) o.write((cmd[++i] & 0xFF) ^ 32);
            else o.write(c);
        }
        return o.toByteArray();
    }
}
