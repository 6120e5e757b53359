package io.hostql.tables.process;

import static io.hostql.sql.table.ColumnType.BIGINT;
import static io.hostql.sql.table.ColumnType.INTEGER;
import static io.hostql.sql.table.ColumnType.TEXT;
import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import io.hostql.os.Libc;
import io.hostql.os.proc.ProcFs;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * processes: one row per process from /proc/PID/{stat,status,cmdline,io,cgroup} and the exe/cwd/root
 * links, with osquery's units: sizes in bytes, CPU times in ms, start_time in seconds since the epoch
 * (boot time + start ticks).
 */
public final class ProcessesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("processes", "All running processes on the host system.")
            .bigint("pid", INDEX, OPTIMIZED).text("name").text("path").text("cmdline").text("state").text("cwd")
            .text("root").bigint("uid").bigint("gid").bigint("euid").bigint("egid").bigint("suid").bigint("sgid")
            .integer("on_disk").bigint("wired_size").bigint("resident_size").bigint("total_size")
            .bigint("user_time").bigint("system_time").bigint("disk_bytes_read").bigint("disk_bytes_written")
            .bigint("start_time").bigint("parent").bigint("pgroup").integer("threads").integer("nice")
            .text("cgroup_path")
            .otherPlatform("windows", INTEGER, "elevated_token", "secure_process").otherPlatform("windows", TEXT, "protection_type")
            .otherPlatform("windows", INTEGER, "virtual_process")
            .otherPlatform("windows", BIGINT, "elapsed_time", "handle_count", "percent_processor_time")
            .otherPlatform("darwin", BIGINT, "upid", "uppid").otherPlatform("darwin", INTEGER, "cpu_type", "cpu_subtype", "translated")
            .build();

    private static final byte[] EMPTY = new byte[0];
    private static final byte[] DELETED = " (deleted)".getBytes(StandardCharsets.US_ASCII);
    private static final Long ZERO = 0L;
    private static final String[] STATES = new String[128];

    static {
        for (char c = 0; c < 128; c++) STATES[c] = String.valueOf(c);
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        ProcFs fs = new ProcFs();
        Needs needs = new Needs(ctx);
        long hz = Libc.sysconf(Libc._SC_CLK_TCK);
        long bootTime = needs.startTime ? ProcFs.bootTime() : -1;
        for (long pid : QueriedPids.of(fs, ctx)) genProcess(fs, needs, pid, hz, bootTime, rows);
    }

    /** Which files a query needs: each costs syscalls per process. */
    private static final class Needs {
        final boolean status, cmdline, path, onDisk, cwd, root, io, cgroup, startTime;

        Needs(QueryContext ctx) {
            status = ctx.isUsed("name") || ctx.isUsed("uid") || ctx.isUsed("gid") || ctx.isUsed("euid")
                    || ctx.isUsed("egid") || ctx.isUsed("suid") || ctx.isUsed("sgid") || ctx.isUsed("resident_size")
                    || ctx.isUsed("total_size");
            cmdline = ctx.isUsed("cmdline");
            onDisk = ctx.isUsed("on_disk");
            path = ctx.isUsed("path") || onDisk;
            cwd = ctx.isUsed("cwd");
            root = ctx.isUsed("root");
            io = ctx.isUsed("disk_bytes_read") || ctx.isUsed("disk_bytes_written");
            cgroup = ctx.isUsed("cgroup_path");
            startTime = ctx.isUsed("start_time");
        }
    }

    private static void genProcess(ProcFs fs, Needs needs, long pid, long hz, long bootTime,
            RowSink rows) {
        byte[] dir = ProcFs.pidDir(pid);
        byte[] stat = fs.readWhole(ProcFs.cpath(dir, "stat"));
        if (stat == null) return; // exited
        long[] f = parseStat(stat);
        if (f == null) return;
        byte[] status = null;
        if (needs.status) {
            status = fs.readWhole(ProcFs.cpath(dir, "status"));
            if (status == null) return;
        }

        RowSink.Row r = rows.add();
        r.set("pid", pid);
        r.set("state", f[0] >= 0 && f[0] < 128 ? STATES[(int) f[0]] : String.valueOf((char) f[0]));
        r.set("parent", f[1]);
        r.set("pgroup", f[2]);
        long msPerTick = 1000 / hz;
        r.set("user_time", f[11] * msPerTick);
        r.set("system_time", f[12] * msPerTick);
        r.set("nice", f[16]);
        r.set("threads", f[17]);
        r.set("start_time", bootTime > 0 ? bootTime + f[19] / hz : -1L);
        r.set("wired_size", ZERO); // Linux has no wired (unpageable) counter; osquery reports 0

        if (status != null) parseStatus(status, r);
        if (needs.cmdline) r.set("cmdline", cmdline(fs.readWhole(ProcFs.cpath(dir, "cmdline"))));
        if (needs.path) {
            byte[] exe = orEmpty(fs.readLink(ProcFs.cpath(dir, "exe")));
            int onDisk;
            if (exe.length == 0) {
                onDisk = -1;
            } else if (!endsWith(exe, DELETED)) {
                onDisk = fs.exists(Libc.cPath(exe)) ? 1 : 0;
            } else {
                // A deleted binary gets " (deleted)" appended, unless a file really has that name and is the binary.
                long[] named = fs.devIno(Libc.cPath(exe));
                long[] running = named == null ? null : fs.devIno(ProcFs.cpath(dir, "exe"));
                if (named != null && running != null && Arrays.equals(named, running)) {
                    onDisk = 1;
                } else {
                    exe = Arrays.copyOf(exe, exe.length - DELETED.length);
                    onDisk = 0;
                }
            }
            r.set("path", exe);
            r.set("on_disk", (long) onDisk);
        }
        if (needs.cwd) r.set("cwd", orEmpty(fs.readLink(ProcFs.cpath(dir, "cwd"))));
        if (needs.root) r.set("root", orEmpty(fs.readLink(ProcFs.cpath(dir, "root"))));
        if (needs.io) {
            byte[] io = fs.readWhole(ProcFs.cpath(dir, "io")); // other users' processes need root
            if (io != null) parseIo(io, r);
        }
        if (needs.cgroup) r.set("cgroup_path", cgroupPath(fs.readWhole(ProcFs.cpath(dir, "cgroup"))));
    }

    private static byte[] orEmpty(byte[] b) {
        return b == null ? EMPTY : b;
    }

    private static boolean endsWith(byte[] b, byte[] suffix) {
        return b.length >= suffix.length && ProcFs.startsWith(b, b.length - suffix.length, b.length, suffix);
    }

    /**
     * Fields of /proc/PID/stat after "(comm)", numbered from 0 = state as in osquery; [0] holds the
     * state character. Returns null when the file is malformed.
     */
    static long[] parseStat(byte[] b) {
        int close = -1;
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] == ')') {
                close = i;
                break;
            }
        }
        if (close < 0 || close + 2 >= b.length) return null;
        long[] out = new long[20];
        int i = close + 2;
        out[0] = b[i] & 0xff;
        while (i < b.length && b[i] != ' ') i++;
        int field = 1;
        while (field < out.length) {
            while (i < b.length && b[i] == ' ') i++;
            if (i >= b.length || b[i] == '\n') return null;
            int start = i;
            while (i < b.length && b[i] != ' ' && b[i] != '\n') i++;
            long v = ProcFs.parseLong(b, start, i);
            out[field++] = v == Long.MIN_VALUE ? 0 : v;
        }
        return out;
    }

    private static final byte[] NAME = "Name:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UID = "Uid:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GID = "Gid:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VM_SIZE = "VmSize:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VM_RSS = "VmRSS:".getBytes(StandardCharsets.US_ASCII);

    /**
     * Name, the real/effective/saved ids, and memory in bytes from /proc/PID/status. VmRSS is exact
     * there, where the rss of /proc/PID/stat is a per-CPU approximation on recent kernels. Kernel
     * threads and zombies have no Vm lines: their sizes stay NULL.
     */
    static void parseStatus(byte[] b, RowSink.Row r) {
        int found = 0;
        int i = 0;
        while (i < b.length && found < 5) {
            int eol = ProcFs.indexOf(b, (byte) '\n', i, b.length);
            if (eol < 0) eol = b.length;
            if (ProcFs.startsWith(b, i, eol, NAME)) {
                r.set("name", ProcFs.trimmed(b, i + NAME.length, eol));
                found++;
            } else if (ProcFs.startsWith(b, i, eol, UID)) {
                ids(b, i + UID.length, eol, r, "uid", "euid", "suid");
                found++;
            } else if (ProcFs.startsWith(b, i, eol, GID)) {
                ids(b, i + GID.length, eol, r, "gid", "egid", "sgid");
                found++;
            } else if (ProcFs.startsWith(b, i, eol, VM_SIZE)) {
                found += kiB(b, i + VM_SIZE.length, eol, r, "total_size");
            } else if (ProcFs.startsWith(b, i, eol, VM_RSS)) {
                found += kiB(b, i + VM_RSS.length, eol, r, "resident_size");
            }
            i = eol + 1;
        }
    }

    private static int kiB(byte[] b, int from, int to, RowSink.Row r, String column) {
        long v = ProcFs.parseLong(b, from, to);
        if (v != Long.MIN_VALUE) r.set(column, v * 1024); // "kB" in /proc means KiB
        return 1;
    }

    private static void ids(byte[] b, int from, int to, RowSink.Row r, String real, String effective, String saved) {
        String[] cols = {real, effective, saved};
        int i = from;
        for (String col : cols) {
            while (i < to && (b[i] == '\t' || b[i] == ' ')) i++;
            int start = i;
            while (i < to && b[i] != '\t' && b[i] != ' ') i++;
            long v = ProcFs.parseLong(b, start, i);
            if (v != Long.MIN_VALUE) r.set(col, v);
        }
    }

    private static final byte[] READ_BYTES = "read_bytes:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WRITE_BYTES = "write_bytes:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CANCELLED = "cancelled_write_bytes:".getBytes(StandardCharsets.US_ASCII);

    /** disk_bytes_written is write_bytes - cancelled_write_bytes (truncated dirty pages never hit the disk), as osquery. */
    static void parseIo(byte[] b, RowSink.Row r) {
        long read = Long.MIN_VALUE, write = Long.MIN_VALUE, cancelled = 0;
        int i = 0;
        while (i < b.length) {
            int eol = ProcFs.indexOf(b, (byte) '\n', i, b.length);
            if (eol < 0) eol = b.length;
            if (ProcFs.startsWith(b, i, eol, READ_BYTES)) read = ProcFs.parseLong(b, i + READ_BYTES.length, eol);
            else if (ProcFs.startsWith(b, i, eol, WRITE_BYTES)) write = ProcFs.parseLong(b, i + WRITE_BYTES.length, eol);
            else if (ProcFs.startsWith(b, i, eol, CANCELLED)) cancelled = ProcFs.parseLong(b, i + CANCELLED.length, eol);
            i = eol + 1;
        }
        if (read != Long.MIN_VALUE) r.set("disk_bytes_read", read);
        if (write != Long.MIN_VALUE) r.set("disk_bytes_written", write - (cancelled == Long.MIN_VALUE ? 0 : cancelled));
    }

    /** NUL-separated argv joined by spaces and trimmed, as osquery. */
    static byte[] cmdline(byte[] b) {
        if (b == null) return EMPTY;
        for (int i = 0; i < b.length; i++) if (b[i] == 0) b[i] = ' ';
        return ProcFs.trimmed(b, 0, b.length);
    }

    /** The path of the first line of /proc/PID/cgroup ("0::/user.slice" or "2:cpu:/x"), as osquery. */
    static byte[] cgroupPath(byte[] b) {
        if (b == null) return EMPTY;
        int eol = ProcFs.indexOf(b, (byte) '\n', 0, b.length);
        if (eol < 0) eol = b.length;
        int first = ProcFs.indexOf(b, (byte) ':', 0, eol);
        if (first < 0) return EMPTY;
        int second = ProcFs.indexOf(b, (byte) ':', first + 1, eol);
        if (second < 0) return EMPTY;
        return Arrays.copyOfRange(b, second + 1, eol);
    }
}
