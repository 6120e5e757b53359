package io.hostql.tables.files;

import static io.hostql.sql.table.ColumnType.TEXT;
import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;
import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;
import static io.hostql.sql.table.ColumnOption.REQUIRED;

import com.sun.jna.Native;
import io.hostql.os.Libc;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.util.HashSet;
import java.util.Set;

/**
 * file: stat of the files a query names by {@code path} (=, LIKE with osquery's % and %%) or lists
 * by {@code directory}. As osquery: {@code symlink} and {@code symlink_target_path} come from
 * lstat, every other column from stat (the target, for a symlink that resolves; the link
 * itself for a dangling one, whose type is then 'unknown'). {@code btime} comes from statx and is
 * 0 where the filesystem does not record birth times (osquery always reports 0 on Linux).
 */
public final class FileTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("file", "Interactive filesystem attributes and metadata.")
            .text("path", REQUIRED, INDEX, OPTIMIZED).text("directory", REQUIRED, OPTIMIZED).text("filename")
            .bigint("inode").bigint("uid").bigint("gid").text("mode").bigint("device").bigint("size")
            .integer("block_size").bigint("atime").bigint("mtime").bigint("ctime").bigint("btime")
            .integer("hard_links").integer("symlink").text("type").text("symlink_target_path")
            .integer("pid_with_namespace", ADDITIONAL, HIDDEN).text("mount_namespace_id", HIDDEN)
            .otherPlatform("windows", TEXT, "attributes", "volume_serial", "file_id", "file_version", "product_version",
                    "original_filename", "shortcut_target_path", "shortcut_target_type", "shortcut_target_location",
                    "shortcut_start_in", "shortcut_run", "shortcut_comment")
            .otherPlatform("darwin", TEXT, "bsd_flags")
            .build();

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        MountNamespaces.generate(ctx, rows, sink -> generateHere(ctx, sink));
    }

    private void generateHere(QueryContext ctx, RowSink rows) {
        Set<Key> done = new HashSet<>();
        for (FilePath path : FilePatterns.fromConstraints(ctx, "path", FilePatterns.Kind.ALL)) {
            emit(rows, path, path.parent(), path.fileName(), done);
        }
        for (FilePath dir : FilePatterns.fromConstraints(ctx, "directory", FilePatterns.Kind.DIRECTORIES)) {
            for (FilePatterns.Entry e : FilePatterns.list(dir)) emit(rows, dir.child(e.name()), dir, e.name(), done);
        }
    }

    private record Key(FilePath path, FilePath dir) {}

    private static void emit(RowSink rows, FilePath path, FilePath dir, byte[] filename, Set<Key> done) {
        // A path reached through both columns is one row, unless its directory reads differently.
        if (!done.add(new Key(path, dir))) return;
        FileStat link = FileStat.lstat(path);
        if (link == null) return; // missing, or vanished since the directory was listed
        FileStat st = link;
        String type;
        byte[] target = null;
        if (link.isSymlink()) {
            target = FileStat.readlink(path);
            FileStat followed = FileStat.stat(path);
            int errno = Native.getLastError();
            if (followed != null) {
                st = followed;
                type = followed.typeName();
            } else {
                // boost's status(): a dangling link is "file not found" (no name, so "unknown").
                type = errno == Libc.ENOENT || errno == Libc.ENOTDIR ? "unknown" : "error";
            }
        } else {
            type = link.typeName();
        }
        rows.add()
                .set("path", path.bytes())
                .set("directory", dir.bytes())
                .set("filename", filename)
                .set("inode", st.ino())
                .set("uid", st.uid())
                .set("gid", st.gid())
                .set("mode", st.permissions())
                .set("device", st.rdev())
                .set("size", st.size())
                .set("block_size", st.blockSize())
                .set("atime", st.atime())
                .set("mtime", st.mtime())
                .set("ctime", st.ctime())
                .set("btime", st.btime())
                .set("hard_links", st.nlink())
                .set("symlink", link.isSymlink() ? 1 : 0)
                .set("type", type)
                .set("symlink_target_path", target);
    }
}
