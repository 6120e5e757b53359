package io.hostql.tables.files;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;
import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;
import static io.hostql.sql.table.ColumnOption.REQUIRED;
import static io.hostql.os.Libc.DT_LNK;
import static io.hostql.os.Libc.DT_REG;
import static io.hostql.os.Libc.DT_UNKNOWN;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * hash: digests of the regular files (symlinks followed, as osquery) a query names by {@code path}
 * or lists by {@code directory}. Only the digest columns the query uses are computed, every file is
 * read once, and files are hashed in parallel. A file that cannot be read gets empty digests, as
 * in osquery.
 */
public final class HashTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("hash", "Filesystem hash data.")
            .text("path", REQUIRED, INDEX, OPTIMIZED).text("directory", REQUIRED, OPTIMIZED)
            .text("md5").text("sha1").text("sha256")
            .integer("pid_with_namespace", ADDITIONAL, HIDDEN).text("mount_namespace_id", HIDDEN)
            .build();


    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        // Inside another mount namespace only the namespace's own thread sees its files: no pool there.
        MountNamespaces.generate(ctx, rows, sink -> generateHere(ctx, sink, true), sink -> generateHere(ctx, sink, false));
    }

    private void generateHere(QueryContext ctx, RowSink rows, boolean parallel) throws Exception {
        List<FilePath> paths = new ArrayList<>();
        List<FilePath> dirs = new ArrayList<>();
        Set<List<FilePath>> done = new HashSet<>();
        for (FilePath path : FilePatterns.fromConstraints(ctx, "path", FilePatterns.Kind.ALL)) {
            FileStat st = FileStat.stat(path);
            if (st != null && st.isRegular()) add(path, path.parent(), paths, dirs, done);
        }
        for (FilePath dir : FilePatterns.fromConstraints(ctx, "directory", FilePatterns.Kind.DIRECTORIES)) {
            for (FilePatterns.Entry e : FilePatterns.list(dir)) {
                FilePath path = dir.child(e.name());
                if (e.type() == DT_REG || ((e.type() == DT_LNK || e.type() == DT_UNKNOWN) && isRegular(path))) {
                    add(path, dir, paths, dirs, done);
                }
            }
        }

        boolean md5 = ctx.isUsed("md5"), sha1 = ctx.isUsed("sha1"), sha256 = ctx.isUsed("sha256");
        List<FileHashes.Digests> digests = null;
        if (md5 || sha1 || sha256) {
            if (parallel) {
                digests = FileHashes.hashAll(paths, md5, sha1, sha256);
            } else {
                digests = new ArrayList<>(paths.size());
                for (FilePath p : paths) digests.add(FileHashes.hash(p, md5, sha1, sha256));
            }
        }
        for (int i = 0; i < paths.size(); i++) {
            FileHashes.Digests d = digests == null ? null : digests.get(i);
            if (digests != null && d == null) continue; // no longer a regular file
            RowSink.Row row = rows.add().set("path", paths.get(i).bytes()).set("directory", dirs.get(i).bytes());
            if (d != null) row.set("md5", d.md5()).set("sha1", d.sha1()).set("sha256", d.sha256());
        }
    }

    private static boolean isRegular(FilePath path) {
        FileStat st = FileStat.stat(path);
        return st != null && st.isRegular();
    }

    private static void add(FilePath path, FilePath dir, List<FilePath> paths, List<FilePath> dirs, Set<List<FilePath>> done) {
        if (!done.add(List.of(path, dir))) return;
        paths.add(path);
        dirs.add(dir);
    }
}
