package io.hostql.tables.storage;

import io.hostql.os.Libc;
import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * mounts: /proc/mounts (this process's mount namespace) with statfs(2) of each mount point. Paths are
 * unescaped (\040 is a space) and passed as bytes when they are not UTF-8. Like osquery, autofs mounts are
 * not statfs'd (that would trigger the automount) and get zeros, as do mounts statfs cannot reach.
 */
public final class MountsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("mounts", "System mounts and mount points.")
            .text("device").text("device_alias").text("path").text("type").bigint("blocks_size").bigint("blocks")
            .bigint("blocks_free").bigint("blocks_available").bigint("inodes").bigint("inodes_free").text("flags")
            .build();

    private static final String[] STATFS_COLUMNS = {"blocks_size", "blocks", "blocks_free", "blocks_available", "inodes", "inodes_free"};

    private final Path mounts;

    public MountsTable() {
        this(Path.of("/proc/self/mounts"));
    }

    MountsTable(Path mounts) {
        this.mounts = mounts;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        byte[] text = SysFiles.readBytes(mounts);
        if (text == null) throw new IllegalStateException(mounts + ": cannot read the mount table");
        boolean stat = false;
        for (String c : STATFS_COLUMNS) stat |= ctx.isUsed(c);
        boolean alias = ctx.isUsed("device_alias");
        long[] buf = new long[16];
        int start = 0;
        for (int i = 0; i <= text.length; i++) {
            if (i < text.length && text[i] != '\n') continue;
            byte[][] f = fields(text, start, i);
            start = i + 1;
            if (f.length < 4) continue;
            String type = utf8(f[2]);
            Object device = textOrBytes(f[0]);
            Object path = textOrBytes(f[1]);
            RowSink.Row r = rows.add().set("device", device).set("path", path).set("type", type).set("flags", utf8(f[3]));
            if (alias) r.set("device_alias", alias(device));
            if (!stat) continue;
            long[] s = null;
            if (!type.equals("autofs")) {
                byte[] cpath = Arrays.copyOf(f[1], f[1].length + 1);
                if (Libc.statfs(cpath, buf) == 0) s = buf;
            }
            // struct statfs: f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, ...
            r.set("blocks_size", s == null ? 0L : s[1]).set("blocks", s == null ? 0L : s[2])
                    .set("blocks_free", s == null ? 0L : s[3]).set("blocks_available", s == null ? 0L : s[4])
                    .set("inodes", s == null ? 0L : s[5]).set("inodes_free", s == null ? 0L : s[6]);
        }
    }

    /** The device's canonical path (a /dev/disk/by-* or /dev/mapper link resolved), or the device itself. */
    private static Object alias(Object device) {
        if (device instanceof String s && s.startsWith("/")) {
            try {
                return Path.of(s).toRealPath().toString();
            } catch (Exception e) {
                return s;
            }
        }
        return device;
    }

    /** Space-separated fields of one line, each with the kernel's octal escapes (\040 \011 \012 \134) undone. */
    static byte[][] fields(byte[] text, int from, int to) {
        java.util.List<byte[]> out = new java.util.ArrayList<>(6);
        ByteArrayOutputStream cur = new ByteArrayOutputStream();
        boolean in = false;
        for (int i = from; i < to; i++) {
            byte b = text[i];
            if (b == ' ' || b == '\t') {
                if (in) out.add(cur.toByteArray());
                cur.reset();
                in = false;
                continue;
            }
            in = true;
            if (b == '\\' && isOctal(text, i + 1, to)) {
                cur.write(((text[i + 1] - '0') << 6) | ((text[i + 2] - '0') << 3) | (text[i + 3] - '0'));
                i += 3;
            } else {
                cur.write(b);
            }
        }
        if (in) out.add(cur.toByteArray());
        return out.toArray(new byte[0][]);
    }

    private static boolean isOctal(byte[] t, int at, int to) {
        if (at + 3 > to) return false;
        for (int k = at; k < at + 3; k++) if (t[k] < '0' || t[k] > '7') return false;
        return true;
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A String when the bytes are valid UTF-8, else the bytes themselves so the row keeps them intact. */
    static Object textOrBytes(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return b;
        }
    }
}
