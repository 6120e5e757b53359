package io.hostql.bench;

import io.hostql.evented.EventedTables;
import io.hostql.evented.Row;
import io.hostql.events.ProcessEvent;
import io.hostql.subscribers.audit.ProcessEventsSubscriber;
import io.hostql.subscribers.fim.NativeFiles;
import java.nio.charset.StandardCharsets;

/**
 * Issue 13 §4: the cost of building an evented row by column name ({@link Row}, as the subscribers do),
 * against the positional {@code Object[]} the subscribers built before, from the same values in the same
 * run. process_events is the widest row on the busiest path (38 columns, tens of thousands of execs a
 * second in a storm); file_events the file storms' row (18 columns). Only the building is timed: the
 * subscriber's stat, /proc reads and the SQLite insert around it are the same either way.
 */
final class RowBuilding {
    private RowBuilding() {}


    /** Rows kept alive as a subscriber's batch keeps them (512 per batch). */
    private static final int BATCH = 512;

    static String run(int rows, int rounds) throws java.io.IOException {
        // Varied per event so that nothing folds into a constant; no cgroup: its container-id match costs the same either way.
        ProcessEvent[] execs = new ProcessEvent[1024];
        byte[][] cmdlines = new byte[execs.length][];
        for (int i = 0; i < execs.length; i++) {
            execs[i] = new ProcessEvent(1_765_000_000_000_000_000L + i, 1_765_000_000_000L + i, 90_000L + i, "execve", true, 0, 10_000 + i,
                    1 + i % 50, 1000, 1000 + i % 3, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 3, bytes("/usr/bin/tool-" + i % 40), bytes("tool"),
                    bytes("/srv/app"), new byte[][] {bytes("tool-" + i % 40), bytes("--flag"), bytes(Integer.toString(i))}, 3, 0100755, 0, 0, 0);
            cmdlines[i] = execs[i].cmdline();
        }
        NativeFiles.Stat stat = new NativeFiles.Stat(2049, 123_456, 0100755, 0, 0, 14_000, 1_764_000_000L, 1_764_000_000L, 1_764_000_000L, 0, 0);
        ProcessEventsSubscriber subscriber = new ProcessEventsSubscriber(null, null);
        long bootTime = bootTime();
        byte[][] paths = new byte[1024][];
        for (int i = 0; i < paths.length; i++) paths[i] = bytes("/var/lib/app/data/storm/dir-" + (i % 100) + "/file-" + i + ".dat");
        Object[][] batch = new Object[BATCH][];
        double[] positional = new double[rounds], named = new double[rounds], filePositional = new double[rounds], fileNamed = new double[rounds];
        for (int r = -2; r < rounds; r++) { // two rounds of warm-up
            long t0 = System.nanoTime();
            for (int i = 0; i < rows; i++) batch[i & (BATCH - 1)] = positionalProcess(execs[i & 1023], cmdlines[i & 1023], stat, bootTime);
            double p = (System.nanoTime() - t0) / (double) rows;
            t0 = System.nanoTime();
            for (int i = 0; i < rows; i++) batch[i & (BATCH - 1)] = subscriber.row(execs[i & 1023], cmdlines[i & 1023], stat, PARENT_PATH, PARENT_CMDLINE, null).values();
            double n = (System.nanoTime() - t0) / (double) rows;
            t0 = System.nanoTime();
            for (int i = 0; i < rows; i++) batch[i & (BATCH - 1)] = positionalFile(paths[i & 1023], i);
            double fp = (System.nanoTime() - t0) / (double) rows;
            t0 = System.nanoTime();
            for (int i = 0; i < rows; i++) batch[i & (BATCH - 1)] = namedFile(paths[i & 1023], i).values();
            double fn = (System.nanoTime() - t0) / (double) rows;
            if (r >= 0) {
                positional[r] = p;
                named[r] = n;
                filePositional[r] = fp;
                fileNamed[r] = fn;
            }
        }
        if (batch[0].length != EventedTables.FILE_EVENTS.columns().size()) throw new IllegalStateException("bad row width");
        String load = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        return "## Building an evented row by column name (issue 13)\n\n"
                + rows + " rows per round and shape, median of " + rounds + " rounds after two of warm-up, one thread; the last " + BATCH
                + " rows are kept alive as a subscriber's batch keeps them. The baseline is the positional `Object[]` the subscribers built"
                + " before, from the same values, in the same run. Only the building is timed: a subscriber's stat, /proc reads and"
                + " SQLite insert around it are unchanged. Load average when it ended: " + load + " (on " + Runtime.getRuntime().availableProcessors()
                + " CPUs: other processes' work inflates both shapes alike).\n\n"
                + "| row | by name (`Row`) | positional (baseline) | ratio |\n|---|---|---|---|\n"
                + line("process_events (38 columns)", Measure.median(named), Measure.median(positional))
                + line("file_events (18 columns)", Measure.median(fileNamed), Measure.median(filePositional))
                + "\nThe scale to compare the difference with: the file storm above costs hostqld about 25 µs of CPU per row.\n\n";
    }

    private static String line(String what, double named, double positional) {
        return "| " + what + " | " + Measure.f(named, 1) + " ns | " + Measure.f(positional, 1) + " ns | " + Measure.f(named / positional, 2) + " |\n";
    }

    /** /proc/stat's btime, as the subscriber reads it for the uptime column. */
    private static long bootTime() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat"))) {
            if (line.startsWith("btime ")) return Long.parseLong(line.substring(6).strip());
        }
        return 0;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final byte[] PARENT_PATH = bytes("/usr/bin/bash"), PARENT_CMDLINE = bytes("bash -c run-tools");

    /** ProcessEventsSubscriber's row as it was built before (positionally), from the same values. */
    private static Object[] positionalProcess(ProcessEvent e, byte[] cmdline, NativeFiles.Stat st, long bootTime) {
        long seconds = e.kernelMillis() / 1000;
        String cgroup = null;
        return new Object[] {(long) e.pid(), e.exe(), e.mode() < 0 ? "" : "0" + Integer.toOctalString(e.mode()),
                cmdline, (long) cmdline.length, "", 0L, 0L, e.cwd(), e.auid(), e.uid(), e.euid(), e.gid(), e.egid(),
                e.ouid() < 0 ? 0L : e.ouid(), e.ogid() < 0 ? 0L : e.ogid(), st == null ? 0L : st.atime(), st == null ? 0L : st.mtime(),
                st == null ? 0L : st.ctime(), 0L, "", (long) e.ppid(), e.captureNanos() / 1_000_000_000L,
                bootTime > 0 ? Math.max(0, seconds - bootTime) : null, null, e.fsuid(), e.suid(), e.fsgid(), e.sgid(), e.syscall(),
                PARENT_PATH, PARENT_CMDLINE, cgroup, null, e.kernelMillis(), e.serial()};
    }

    /** The shape FimSubscriber built before, for a stat'ed, unhashed file. */
    private static Object[] positionalFile(byte[] path, long i) {
        return new Object[] {path, "storm", "UPDATED", 0L, 1_000_000L + i, 0L, 0L, "0644", i & 4095, 1_765_000_000L + i, 1_765_000_000L + i,
                1_765_000_000L + i, null, null, null, 0, 1_765_000_000L + (i >> 10), null};
    }

    private static Row namedFile(byte[] path, long i) {
        return FileEventRows.FILE.row().set(FileEventRows.TARGET_PATH, path).set(FileEventRows.CATEGORY, "storm").set(FileEventRows.ACTION, "UPDATED")
                .set(FileEventRows.TRANSACTION_ID, 0).set(FileEventRows.INODE, 1_000_000L + i).set(FileEventRows.UID, 0).set(FileEventRows.GID, 0)
                .set(FileEventRows.MODE, "0644").set(FileEventRows.SIZE, i & 4095).set(FileEventRows.ATIME, 1_765_000_000L + i)
                .set(FileEventRows.MTIME, 1_765_000_000L + i).set(FileEventRows.CTIME, 1_765_000_000L + i).set(FileEventRows.HASHED, 0)
                .set(FileEventRows.TIME, 1_765_000_000L + (i >> 10));
    }
}
