package io.hostql.tables.packages;

import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.files.FileStat;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * rpm_package_files: every file of every package of the rpm database (rpmdb.sqlite, read as
 * rpm_packages reads it), with the owner, mode, size and digest the package header records. The
 * digest is shown only when the package's file digest algorithm is SHA-256, as in osquery.
 */
public final class RpmPackageFilesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("rpm_package_files", "RPM packages that are currently installed on the host system.")
            .text("package", INDEX, OPTIMIZED).text("path", INDEX).text("username").text("groupname").text("mode")
            .bigint("size").text("sha256")
            .build();

    static final int TAG_OLDFILENAMES = 1027;
    static final int TAG_FILESIZES = 1028;
    static final int TAG_FILEMODES = 1030;
    static final int TAG_FILEDIGESTS = 1035;
    static final int TAG_FILEUSERNAME = 1039;
    static final int TAG_FILEGROUPNAME = 1040;
    static final int TAG_DIRINDEXES = 1116;
    static final int TAG_BASENAMES = 1117;
    static final int TAG_DIRNAMES = 1118;
    static final int TAG_LONGFILESIZES = 5008;
    static final int TAG_FILEDIGESTALGO = 5011;
    /** PGPHASHALGO_SHA256; a header without FILEDIGESTALGO uses MD5. */
    static final long ALGO_SHA256 = 8;

    private final List<Path> candidates;

    public RpmPackageFilesTable() {
        this(RpmPackagesTable.DEFAULT_DBS);
    }

    RpmPackageFilesTable(List<Path> candidates) {
        this.candidates = candidates;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        Path db = RpmPackagesTable.database(candidates);
        if (db == null) return;
        Set<String> names = ctx.equalsText("package");
        for (RpmPackagesTable.Header h : RpmPackagesTable.headers(db)) {
            String name = h.string(RpmPackagesTable.TAG_NAME);
            if (!names.isEmpty() && !names.contains(name)) continue;
            String[] paths = paths(h);
            String[] users = h.strings(TAG_FILEUSERNAME);
            String[] groups = h.strings(TAG_FILEGROUPNAME);
            long[] modes = h.numbers(TAG_FILEMODES);
            long[] sizes = h.numbers(TAG_LONGFILESIZES);
            if (sizes.length == 0) sizes = h.numbers(TAG_FILESIZES);
            String[] digests = h.strings(TAG_FILEDIGESTS);
            long[] algo = h.numbers(TAG_FILEDIGESTALGO);
            boolean sha256 = algo.length > 0 && algo[0] == ALGO_SHA256;
            for (int i = 0; i < paths.length; i++) {
                rows.add().set("package", name).set("path", paths[i])
                        .set("username", i < users.length ? users[i] : "")
                        .set("groupname", i < groups.length ? groups[i] : "")
                        .set("mode", i < modes.length ? FileStat.lsperms((int) modes[i]) : null)
                        .set("size", i < sizes.length ? sizes[i] : null)
                        .set("sha256", sha256 ? (i < digests.length ? digests[i] : "") : null);
            }
        }
    }

    /** The file paths: DIRNAMES[DIRINDEXES[i]] + BASENAMES[i], or OLDFILENAMES in very old headers. */
    static String[] paths(RpmPackagesTable.Header h) {
        String[] base = h.strings(TAG_BASENAMES);
        if (base.length == 0) return h.strings(TAG_OLDFILENAMES);
        String[] dirs = h.strings(TAG_DIRNAMES);
        long[] idx = h.numbers(TAG_DIRINDEXES);
        String[] out = new String[base.length];
        for (int i = 0; i < base.length; i++) {
            int d = i < idx.length ? (int) idx[i] : -1;
            out[i] = (d >= 0 && d < dirs.length ? dirs[d] : "") + base[i];
        }
        return out;
    }
}
