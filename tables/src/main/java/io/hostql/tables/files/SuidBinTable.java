package io.hostql.tables.files;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;
import static io.hostql.os.Libc.DT_DIR;
import static io.hostql.os.Libc.DT_LNK;
import static io.hostql.os.Libc.DT_REG;
import static io.hostql.os.Libc.DT_UNKNOWN;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.users.Groups;
import io.hostql.tables.users.Passwd;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * suid_bin: setuid/setgid regular files under osquery's fixed binary directories, searched
 * recursively. As osquery: symlinks are followed to check a file (a link to a setuid binary is
 * listed under the link's path) but symlinked directories are not descended; owner and group
 * come from stat, named through /etc/passwd and /etc/group ({@link Passwd}, {@link Groups}, as the
 * file-backed getpwuid/getgrgid) and fall back to the numeric id when no local account has it.
 */
public final class SuidBinTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("suid_bin", "suid binaries in common locations.")
            .text("path").text("username").text("groupname").text("permissions")
            .integer("pid_with_namespace", ADDITIONAL, HIDDEN)
            .build();

    /** osquery's kBinarySearchPaths. */
    static final List<String> SEARCH_PATHS =
            List.of("/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/tmp");


    private final List<String> roots;
    private final Path passwd;
    private final Path group;

    public SuidBinTable() {
        this(SEARCH_PATHS, Passwd.ETC_PASSWD, Groups.ETC_GROUP);
    }

    /** passwd, group: the account files to name owners by (tests use their own). */
    SuidBinTable(List<String> roots, Path passwd, Path group) {
        this.roots = roots;
        this.passwd = passwd;
        this.group = group;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        MountNamespaces.generate(ctx, rows, this::generateHere);
    }

    private void generateHere(RowSink rows) {
        // Read here: inside a mount namespace these are the container's account files.
        Passwd users = Passwd.cachedOrEmpty(passwd);
        Groups groups = Groups.cachedOrEmpty(group);
        for (String root : roots) {
            FilePath top = FilePath.of(root);
            FileStat st = FileStat.stat(top);
            if (st == null || !st.isDirectory()) continue;
            // Depth-first, each directory's entries sorted by name.
            Deque<FilePath> stack = new ArrayDeque<>();
            stack.push(top);
            while (!stack.isEmpty()) {
                FilePath dir = stack.pop();
                List<FilePatterns.Entry> entries = FilePatterns.list(dir);
                Deque<FilePath> subdirs = new ArrayDeque<>();
                for (FilePatterns.Entry e : entries) {
                    FilePath path = dir.child(e.name());
                    int type = e.type();
                    if (type == DT_UNKNOWN) { // a filesystem without d_type
                        FileStat l = FileStat.lstat(path);
                        if (l == null) continue;
                        type = l.isDirectory() ? DT_DIR : l.isSymlink() ? DT_LNK : l.isRegular() ? DT_REG : -1;
                    }
                    if (type == DT_DIR) {
                        subdirs.push(path);
                        continue;
                    }
                    if (type != DT_REG && type != DT_LNK) continue;
                    FileStat f = FileStat.stat(path);
                    if (f == null || !f.isRegular() || (f.mode() & 06000) == 0) continue;
                    emit(rows, path, f, users, groups);
                }
                while (!subdirs.isEmpty()) stack.push(subdirs.pop());
            }
        }
    }

    private static void emit(RowSink rows, FilePath path, FileStat f, Passwd users, Groups groups) {
        String user = users.nameOf(f.uid());
        String group = groups.nameOf(f.gid());
        String perms = ((f.mode() & 04000) != 0 ? "S" : "") + ((f.mode() & 02000) != 0 ? "G" : "");
        rows.add()
                .set("path", path.bytes())
                .set("username", user != null ? user : Long.toString(f.uid()))
                .set("groupname", group != null ? group : Long.toString(f.gid()))
                .set("permissions", perms);
    }
}
