package io.hostql.tables.files;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.REQUIRED;

import com.sun.jna.Pointer;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * magic: libmagic's description, MIME type and MIME encoding of the files named by {@code path}
 * (as {@code file -b}, {@code file -b --mime-type}, {@code file -b --mime-encoding}). The database
 * is {@code magic_db_files} when the query gives it (several are joined with ':'), else the first
 * of osquery's default locations that exists, else libmagic's own default.
 */
public final class MagicTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("magic", "Magic number recognition library table.")
            .text("path", REQUIRED, INDEX).text("magic_db_files", ADDITIONAL)
            .text("data").text("mime_type").text("mime_encoding")
            .build();

    /** osquery's kMagicFiles. */
    private static final List<String> DEFAULT_DATABASES =
            List.of("/usr/share/misc/magic", "/usr/share/misc/magic.mgc", "/usr/share/file/magic/magic");

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        if (LibMagic.problem() != null) throw new IllegalStateException(LibMagic.problem());
        String databases = databases(ctx);
        Pointer cookie = LibMagic.magic_open(LibMagic.MAGIC_NONE);
        if (cookie == null) throw new IllegalStateException("libmagic: magic_open failed");
        try {
            byte[] db = databases == null ? null : FilePath.of(databases).cstr();
            if (LibMagic.magic_load(cookie, db) != 0) {
                throw new IllegalStateException("cannot load the magic database "
                        + (databases == null ? "(libmagic's default)" : databases) + ": " + text(LibMagic.magic_error(cookie)));
            }
            boolean data = ctx.isUsed("data"), type = ctx.isUsed("mime_type"), encoding = ctx.isUsed("mime_encoding");
            for (FilePath path : FilePatterns.fromConstraints(ctx, "path", FilePatterns.Kind.ALL)) {
                byte[] c = path.cstr();
                RowSink.Row row = rows.add().set("path", path.bytes()).set("magic_db_files", databases);
                if (data) row.set("data", describe(cookie, LibMagic.MAGIC_NONE, c));
                if (type) row.set("mime_type", describe(cookie, LibMagic.MAGIC_MIME_TYPE, c));
                if (encoding) row.set("mime_encoding", describe(cookie, LibMagic.MAGIC_MIME_ENCODING, c));
            }
        } finally {
            LibMagic.magic_close(cookie);
        }
    }

    private static String databases(QueryContext ctx) {
        Set<String> given = ctx.equalsText("magic_db_files");
        if (!given.isEmpty()) return String.join(":", given);
        for (String f : DEFAULT_DATABASES) if (FileStat.stat(FilePath.of(f)) != null) return f;
        return null;
    }

    private static String describe(Pointer cookie, int flags, byte[] path) {
        LibMagic.magic_setflags(cookie, flags);
        return text(LibMagic.magic_file(cookie, path));
    }

    private static String text(Pointer p) {
        if (p == null) return null;
        return new String(p.getByteArray(0, (int) p.indexOf(0, (byte) 0)), StandardCharsets.UTF_8);
    }
}
