package io.hostql.tables.packages;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;
import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableRegistry;
import io.hostql.sql.table.TableSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * rpm_packages: the rpm database when it is rpm's SQLite backend (rpmdb.sqlite, rpm >= 4.16).
 * Each row of its Packages table is an exported rpm header, read here tag by tag. No database
 * (a Debian host) gives an empty table.
 */
public final class RpmPackagesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("rpm_packages", "RPM packages that are currently installed on the host system.")
            .text("name", INDEX, OPTIMIZED).text("version", INDEX).text("release", INDEX).text("source").bigint("size")
            .text("sha1").text("arch", INDEX).integer("epoch", INDEX).integer("install_time").text("vendor")
            .text("package_group")
            .integer("pid_with_namespace", ADDITIONAL, HIDDEN).text("mount_namespace_id", HIDDEN)
            .build();

    static final List<Path> DEFAULT_DBS = List.of(
            Path.of("/var/lib/rpm/rpmdb.sqlite"), Path.of("/usr/lib/sysimage/rpm/rpmdb.sqlite"));

    static final int TAG_SHA1HEADER = 269;
    static final int TAG_NAME = 1000;
    static final int TAG_VERSION = 1001;
    static final int TAG_RELEASE = 1002;
    static final int TAG_EPOCH = 1003;
    static final int TAG_INSTALLTIME = 1008;
    static final int TAG_SIZE = 1009;
    static final int TAG_VENDOR = 1011;
    static final int TAG_GROUP = 1016;
    static final int TAG_ARCH = 1022;
    static final int TAG_SOURCERPM = 1044;
    static final int TAG_LONGSIZE = 5009;

    private final List<Path> candidates;

    public RpmPackagesTable() {
        this(DEFAULT_DBS);
    }

    RpmPackagesTable(Path rpmdb) {
        this(List.of(rpmdb));
    }

    private RpmPackagesTable(List<Path> candidates) {
        this.candidates = candidates;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        Path db = database(candidates);
        if (db == null) return;
        Set<String> names = ctx.equalsText("name");
        for (Header h : headers(db)) {
            String name = h.string(TAG_NAME);
            if (!names.isEmpty() && !names.contains(name)) continue;
            Long size = h.number(TAG_SIZE);
            if (size == null) size = h.number(TAG_LONGSIZE);
            rows.add().set("name", name).set("version", h.string(TAG_VERSION)).set("release", h.string(TAG_RELEASE))
                    .set("source", h.string(TAG_SOURCERPM)).set("size", size).set("sha1", h.string(TAG_SHA1HEADER))
                    .set("arch", h.string(TAG_ARCH)).set("epoch", h.number(TAG_EPOCH))
                    .set("install_time", h.number(TAG_INSTALLTIME)).set("vendor", h.string(TAG_VENDOR))
                    .set("package_group", h.string(TAG_GROUP)).set("pid_with_namespace", 0);
        }
    }

    /** The first of the candidate rpmdb.sqlite files that exists, or null (no rpm database on this host). */
    static Path database(List<Path> candidates) {
        for (Path p : candidates) if (Files.isRegularFile(p)) return p;
        return null;
    }

    /** Every readable package header of an rpmdb.sqlite; a damaged header is left out, the others are not hidden by it. */
    static List<Header> headers(Path db) {
        QueryResult r;
        try (Database sqlite = Database.open("file:" + uriPath(db.toAbsolutePath().toString()) + "?mode=ro", new TableRegistry())) {
            r = sqlite.queryTrusted("SELECT blob FROM Packages");
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read the rpm database " + db + ": " + e.getMessage(), e);
        }
        List<Header> out = new java.util.ArrayList<>(r.rows().size());
        for (Object[] row : r.rows()) {
            if (!(row[0] instanceof byte[] blob)) continue;
            try {
                out.add(new Header(blob));
            } catch (IllegalArgumentException e) {
                // one damaged header does not hide the others
            }
        }
        return out;
    }

    private static String uriPath(String path) {
        StringBuilder sb = new StringBuilder();
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c == '%' || c == '?' || c == '#' || c < 0x21 || c >= 0x7f) sb.append(String.format("%%%02X", c));
            else sb.append((char) c);
        }
        return sb.toString();
    }

    /**
     * An exported rpm header: big-endian index count, data length, 16-byte index entries
     * (tag, type, offset, count), then the data store.
     */
    static final class Header {
        static final int TYPE_CHAR = 1, TYPE_INT8 = 2, TYPE_INT16 = 3, TYPE_INT32 = 4, TYPE_INT64 = 5,
                TYPE_STRING = 6, TYPE_BIN = 7, TYPE_STRING_ARRAY = 8, TYPE_I18NSTRING = 9;

        private final byte[] b;
        private final int entries;
        private final int dataStart;
        private final int dataLength;

        Header(byte[] blob) {
            this.b = blob;
            if (blob.length < 8) throw new IllegalArgumentException("rpm header shorter than 8 bytes");
            entries = i32(0);
            dataLength = i32(4);
            dataStart = 8 + entries * 16;
            if (entries < 0 || dataLength < 0 || (long) dataStart + dataLength > blob.length) {
                throw new IllegalArgumentException("rpm header sizes out of range");
            }
        }

        /** Index position of the last entry with this tag (dribble entries follow and override the region), or -1. */
        private int find(int tag) {
            for (int k = entries - 1; k >= 0; k--) if (i32(8 + k * 16) == tag) return 8 + k * 16;
            return -1;
        }

        String string(int tag) {
            int e = find(tag);
            if (e < 0) return null;
            int type = i32(e + 4);
            if (type != TYPE_STRING && type != TYPE_STRING_ARRAY && type != TYPE_I18NSTRING) {
                Long n = number(tag);
                return n == null ? null : n.toString();
            }
            int off = i32(e + 8);
            if (off < 0 || off >= dataLength) return null;
            int start = dataStart + off;
            int end = start;
            int limit = dataStart + dataLength;
            while (end < limit && b[end] != 0) end++;
            return new String(b, start, end - start, StandardCharsets.UTF_8);
        }

        Long number(int tag) {
            int e = find(tag);
            if (e < 0) return null;
            int type = i32(e + 4);
            int off = i32(e + 8);
            int count = i32(e + 12);
            if (count < 1 || off < 0) return null;
            int p = dataStart + off;
            int limit = dataStart + dataLength;
            switch (type) {
                case TYPE_CHAR:
                case TYPE_INT8:
                    return p < limit ? (long) (b[p] & 0xff) : null;
                case TYPE_INT16:
                    return p + 2 <= limit ? (long) (((b[p] & 0xff) << 8) | (b[p + 1] & 0xff)) : null;
                case TYPE_INT32:
                    return p + 4 <= limit ? (long) i32(p) & 0xffffffffL : null;
                case TYPE_INT64:
                    return p + 8 <= limit ? ((long) i32(p) << 32) | ((long) i32(p + 4) & 0xffffffffL) : null;
                default:
                    return null;
            }
        }

        /** Every string of a STRING_ARRAY (or STRING) entry; empty when the tag is absent. */
        String[] strings(int tag) {
            int e = find(tag);
            if (e < 0) return new String[0];
            int type = i32(e + 4);
            if (type != TYPE_STRING && type != TYPE_STRING_ARRAY && type != TYPE_I18NSTRING) return new String[0];
            int off = i32(e + 8);
            int count = type == TYPE_STRING ? 1 : i32(e + 12);
            int limit = dataStart + dataLength;
            if (off < 0 || off >= dataLength || count < 0 || count > dataLength) return new String[0];
            String[] out = new String[count];
            int p = dataStart + off;
            for (int k = 0; k < count; k++) {
                int end = p;
                while (end < limit && b[end] != 0) end++;
                if (end >= limit && k < count - 1) return java.util.Arrays.copyOf(out, k);
                out[k] = new String(b, p, end - p, StandardCharsets.UTF_8);
                p = end + 1;
            }
            return out;
        }

        /** Every number of an integer array entry (INT16 unsigned, INT32 unsigned, INT64); empty when absent. */
        long[] numbers(int tag) {
            int e = find(tag);
            if (e < 0) return new long[0];
            int type = i32(e + 4);
            int width = switch (type) {
                case TYPE_CHAR, TYPE_INT8 -> 1;
                case TYPE_INT16 -> 2;
                case TYPE_INT32 -> 4;
                case TYPE_INT64 -> 8;
                default -> 0;
            };
            int off = i32(e + 8);
            int count = i32(e + 12);
            if (width == 0 || off < 0 || count < 0 || (long) off + (long) count * width > dataLength) return new long[0];
            long[] out = new long[count];
            int p = dataStart + off;
            for (int k = 0; k < count; k++, p += width) {
                out[k] = switch (width) {
                    case 1 -> b[p] & 0xff;
                    case 2 -> ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
                    case 4 -> (long) i32(p) & 0xffffffffL;
                    default -> ((long) i32(p) << 32) | ((long) i32(p + 4) & 0xffffffffL);
                };
            }
            return out;
        }

        private int i32(int p) {
            return ((b[p] & 0xff) << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
        }
    }
}
