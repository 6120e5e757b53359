package io.hostql.tables.files;

import static io.hostql.sql.table.ColumnOption.OPTIMIZED;
import static io.hostql.sql.table.ColumnOption.REQUIRED;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * extended_attributes: the xattrs of the files a query names by {@code path} (=, LIKE) or lists by
 * {@code directory} (its files, not its subdirectories, as osquery). A value with a byte outside
 * 0x20..0x7e is given in base64 (base64 = 1). security.capability is decoded as getcap shows it
 * ("cap_net_raw=ep"); osquery cuts two characters off libcap's text, written for libcap 1's
 * "= " prefix, which libcap 2 no longer writes, so hostql keeps the whole text.
 */
public final class ExtendedAttributesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("extended_attributes",
                    "Returns the extended attributes for files (similar to Windows ADS).")
            .text("path", REQUIRED, OPTIMIZED).text("directory", REQUIRED, OPTIMIZED).text("key").text("value")
            .integer("base64")
            .build();

    static final String CAPABILITY = "security.capability";

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        for (FilePath path : FilePatterns.fromConstraints(ctx, "path", FilePatterns.Kind.ALL)) {
            FileStat st = FileStat.stat(path);
            if (st == null || !(st.isRegular() || st.isDirectory())) continue;
            emit(rows, path);
        }
        for (FilePath dir : FilePatterns.fromConstraints(ctx, "directory", FilePatterns.Kind.DIRECTORIES)) {
            for (FilePatterns.Entry e : FilePatterns.list(dir)) {
                FilePath p = dir.child(e.name());
                FileStat st = FileStat.stat(p);
                if (st != null && !st.isDirectory()) emit(rows, p);
            }
        }
    }

    private static void emit(RowSink rows, FilePath path) {
        byte[] cpath = path.cstr();
        List<byte[]> names = Xattrs.names(cpath);
        if (names == null) return;
        for (byte[] name : names) {
            String key = new String(name, StandardCharsets.UTF_8);
            byte[] value = Xattrs.value(cpath, name);
            if (value == null) continue;
            if (key.equals(CAPABILITY)) {
                String caps = Xattrs.capabilities(cpath);
                if (caps != null) value = caps.getBytes(StandardCharsets.UTF_8);
            }
            boolean printable = isPrintable(value);
            rows.add().set("path", path.bytes()).set("directory", path.parent().bytes()).set("key", key)
                    .set("value", printable ? value : Base64.getEncoder().encode(value)).set("base64", printable ? 0 : 1);
        }
    }

    /** osquery's isPrintable: no byte below 0x20 or above 0x7e. */
    static boolean isPrintable(byte[] v) {
        for (byte b : v) {
            int c = b & 0xff;
            if (c <= 0x1f || c >= 0x7f) return false;
        }
        return true;
    }
}
