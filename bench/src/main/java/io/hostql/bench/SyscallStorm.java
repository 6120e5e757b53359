package io.hostql.bench;

import io.hostql.bench.ExecStorm.Capture;
import io.hostql.bench.ExecStorm.Window;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * Issue 15's syscall storm: {@code connect()} of a UDP socket to 127.0.0.1 in a loop (soakgen.c, compiled at run time),
 * paced to target rates and then unpaced, one audited syscall per call and four records per event (SYSCALL, SOCKADDR,
 * PROCTITLE, EOE). Captured by hostqld (socket_events, process events off) under both backpressure policies, then by
 * Debian's auditd with the same syscalls audited and the kernel's default wait, in the same run, each after a warm-up.
 * Per window: the rate achieved, the share captured, the kernel's lost records, the loss hostqld reports in events, what
 * no one accounts for, the daemon's CPU and its peak RSS, and where the machine's CPU went (the generator, kauditd, the
 * daemon's reader and the rest of it): the limit at the top rates is the sum of these against the CPUs.
 * Options are system properties (see {@link Options}).
 */
final class SyscallStorm {
    private SyscallStorm() {}

    /** backlog_wait_time when the kernel's HZ is unknown: the kernel's default, 60 s, on an HZ 1000 kernel. */
    private static final int WAIT_AT_HZ_1000 = 60_000;
    /** Rate of the warm-up storm: enough for hostqld's JIT to have compiled the hot path before the measured windows. */
    private static final double WARM_UP_RATE = 20_000;
    /** hostqld's socket rules (bind, connect, accept, accept4; 64-bit only, as hostqld's) and no exec rules: auditd gets the same rule. */
    private static final String SOCKETS_ONLY = ", \"audit_allow_sockets\": true, \"audit_allow_process_events\": false";
    private static final String SOCKET_SYSCALLS = "bind,connect,accept,accept4";
    /** Seconds without new rows or loss counts before a window's count is final. */
    private static final int SETTLE_QUIET_SECONDS = 8;

    /**
     * -Dstorm.seconds (10) per window, -Dstorm.rates (1000,5000,20000,50000,100000,max; max is unpaced),
     * -Dstorm.load (none, or stress: stress-ng --cpu 1 for the whole run), -Dstorm.warmup (20 s at 20,000/s per
     * daemon, 0: none), -Dstorm.runs (1; more repeats each window and reports each column's median).
     */
    record Options(int seconds, List<Double> rates, boolean stress, int warmupSeconds, int runs) {
        static Options fromProperties() {
            List<Double> rates = Measure.rates("storm.rates", "1000,5000,20000,50000,100000,max");
            String load = System.getProperty("storm.load", "none");
            if (!load.equals("none") && !load.equals("stress")) throw new IllegalArgumentException("storm.load must be none or stress, not '" + load + "'");
            return new Options(Measure.atLeast("storm.seconds", 10, 1), rates, load.equals("stress"), Measure.atLeast("storm.warmup", 20, 0),
                    Measure.atLeast("storm.runs", 1, 1));
        }
    }

    /** A daemon configuration under test. */
    private record Tool(String label, Starter starter) {}

    private interface Starter {
        Capture start(Path dir) throws Exception;
    }

    static String run(Path home, Path tmp, Options o) throws Exception {
        if (ExecStorm.auditdRunning()) throw new IllegalStateException("an auditd is running on this machine; stop it first (the storm owns audit)");
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        double busyBefore = othersBusy();
        String status = ExecStorm.auditctl("-s"), rules = ExecStorm.auditctl("-l");
        int wait = kernelDefaultWait();
        Path root = Files.createTempDirectory(tmp, "syscall");
        Path gen = Soak.compileGenerator(root);
        List<Tool> tools = List.of(
                new Tool("hostqld, wait 0", dir -> new HostqlSockets(ExecStorm.Hostqld.start(home, dir, 0, SOCKETS_ONLY))),
                new Tool("hostqld, wait " + wait, dir -> new HostqlSockets(ExecStorm.Hostqld.start(home, dir, wait, SOCKETS_ONLY))),
                new Tool("auditd, wait " + wait, dir -> new AuditdSockets(ExecStorm.Auditd.start(dir, wait, SOCKET_SYSCALLS, List.of("b64")))));
        Map<String, List<Measured>> results = new LinkedHashMap<>();
        List<Process> started = new ArrayList<>();
        AtomicReference<Capture> running = new AtomicReference<>();
        // Stops the daemon and the load and restores audit however the run ends: normally, by an exception, or by a signal to this JVM.
        AtomicBoolean restored = new AtomicBoolean();
        Runnable restore = () -> {
            if (!restored.compareAndSet(false, true)) return;
            Capture c = running.getAndSet(null);
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("syscall storm: could not stop pid " + c.pid() + ": " + e);
                }
            }
            for (Process p : started) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
            }
            try {
                ExecStorm.restoreAudit(status, rules);
            } catch (IOException | InterruptedException e) {
                System.err.println("syscall storm: could not restore audit (" + e + "); it was:\n" + status + "\n" + rules);
            }
        };
        Thread hook = new Thread(restore, "syscall-storm-restore");
        Runtime.getRuntime().addShutdownHook(hook);
        double ceiling;
        try {
            if (o.stress) {
                started.add(new ProcessBuilder("stress-ng", "--cpu", "1", "--quiet").redirectErrorStream(true)
                        .redirectOutput(root.resolve("stress-ng.out").toFile()).start());
            }
            ceiling = generate(gen, 0, o.seconds).rate();
            for (Tool t : tools) {
                List<List<Measured>> perRate = new ArrayList<>();
                try (Capture c = t.starter.start(root.resolve(t.label.replaceAll("\\W+", "-")))) {
                    running.set(c);
                    if (o.warmupSeconds > 0) window(c, gen, WARM_UP_RATE, o.warmupSeconds);
                    for (double r : o.rates) {
                        List<Measured> runs = new ArrayList<>();
                        for (int i = 0; i < o.runs; i++) runs.add(window(c, gen, r, o.seconds));
                        perRate.add(runs);
                    }
                    running.set(null);
                }
                results.put(t.label, perRate.stream().map(SyscallStorm::median).toList());
            }
        } finally {
            restore.run();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        // about 0.5 GB per daemon (rows, journal, log); a failed run keeps them to look at
        try (var files = Files.walk(root)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        return report(o, wait, ceiling, results, loadBefore, busyBefore);
    }

    /**
     * The share of the machine's CPU time other work used over the 5 s before the run (0..1). The load average is
     * no guide here: it still carries bench/run's own build from just before.
     */
    static double othersBusy() throws Exception {
        long[] a = cpuTimes();
        Thread.sleep(5000);
        long[] b = cpuTimes();
        double total = b[0] - a[0];
        return total <= 0 ? 0 : 1 - (b[1] - a[1]) / total;
    }

    /** The machine's total and idle (idle + iowait) jiffies, from /proc/stat's first line. */
    private static long[] cpuTimes() throws Exception {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) total += Long.parseLong(f[i]);
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }

    private static String report(Options o, int wait, double ceiling, Map<String, List<Measured>> measured, String loadBefore, double busyBefore) {
        Map<String, List<Window>> results = new LinkedHashMap<>();
        measured.forEach((tool, ws) -> results.put(tool, ws.stream().map(Measured::window).toList()));
        String auditd = "auditd, wait " + wait;
        StringBuilder md = new StringBuilder("## Syscall storm: audit → journal → socket_events, against auditd (issue 15)"
                + (o.stress ? ", under a competing load" : "") + "\n\n");
        if (o.stress) {
            md.append("**Under load:** `stress-ng --cpu 1` ran for the whole run (one of the CPUs busy), to show how capture degrades.\n\n");
        }
        // measured before the run's own load started: what else ran on the machine
        if (busyBefore > 0.10) {
            md.append("**Measured on a busy machine** (other work used ").append(Measure.f(100 * busyBefore, 0))
                    .append("% of the CPUs in the 5 s before the run): these are not quiet figures.\n\n");
        } else {
            md.append("Quiet machine: other work used ").append(Measure.f(100 * busyBefore, 1)).append("% of the CPUs in the 5 s before the run.\n\n");
        }
        md.append("Command: `sudo ").append(o.stress ? "BENCH_OPTS=-Dstorm.load=stress " : "").append("bench/run syscall-storm`")
                .append(o.seconds != 10 || o.warmupSeconds != 20 || o.runs != 1 ? " (this run: -Dstorm.seconds=" + o.seconds + " -Dstorm.warmup="
                        + o.warmupSeconds + " -Dstorm.runs=" + o.runs + ")" : "").append(".\n\n");
        md.append("One C process (soakgen.c, `connect`) calls `connect()` on a UDP socket to 127.0.0.1 at each target rate for ").append(o.seconds)
                .append(" s, and then as fast as it can (\"max\"); each call is one audited syscall, four records (SYSCALL, SOCKADDR, PROCTITLE, EOE).\n")
                .append("Each daemon first gets a ").append(o.warmupSeconds).append(" s warm-up storm at ").append(Measure.f(WARM_UP_RATE, 0))
                .append("/s (not counted)").append(o.runs > 1 ? "; each window ran " + o.runs + " times and every column is its own median" : "").append(".\n")
                .append("hostqld (owner mode, `--audit_allow_sockets`, process and user events off, `audit_backlog_limit` 8192, `events_max` 0: no row\n")
                .append("is deleted during the count; its reader thread at nice -").append(readerBoost()).append(", `audit_reader_priority_boost` as hostqld reads it here) runs with `audit_backlog_wait_time` 0 (drop and account) and ").append(wait)
                .append(" (the kernel's default, 60 s in jiffies: the audited program\n")
                .append("waits); then Debian's auditd (raw log, its own config otherwise: `priority_boost` 4, the whole daemon at nice -4) with rules for the same syscalls (")
                .append(SOCKET_SYSCALLS).append(", b64, not for\n")
                .append("itself), the same backlog limit and the kernel's default wait. Captured: socket_events rows (hostqld) or SYSCALL log records (auditd)\n")
                .append("of the generator's pid. Kernel lost: the rise of `auditctl -s`'s lost counter, in records. Reported: the events hostqld\n")
                .append("says it lost in hostql_event_losses (source audit, estimates included: the kernel's drops are counted in events, marked\n")
                .append("estimate; incomplete events it did publish are left out). Unaccounted: calls − captured − reported (for auditd, which\n")
                .append("reports nothing itself, − kernel lost). CPU: the daemon's user+system time from the storm's start until its output stopped\n")
                .append("growing, as a share of one CPU over the storm; per 1,000 events captured. Peak RSS: VmHWM over the window (reset before it).\n")
                .append("The kernel's own audit work (kauditd, the audited calls) is counted for neither.\n\n")
                .append("What the machine can offer: the same generator unpaced, before any rule is installed, makes ").append(Measure.f(ceiling, 0))
                .append(" calls/s.\n\n")
                .append("| tool | target | achieved | calls | captured | share | kernel lost (records) | reported (events) | unaccounted | CPU | CPU s per 1,000 events | peak RSS |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < o.rates.size(); i++) {
            for (var e : results.entrySet()) md.append(row(e.getKey(), e.getValue().get(i)));
        }
        md.append("\n| target | hostqld wait 0: captured | no unaccounted loss (hostqld, both waits) | hostqld RSS < 200 MB | CPU per event, hostqld / auditd (wait 0, wait ")
                .append(wait).append(") |\n|---|---|---|---|---|\n");
        List<String> ours = results.keySet().stream().filter(k -> k.startsWith("hostqld")).toList();
        for (int i = 0; i < o.rates.size(); i++) {
            int at = i;
            Window drop = results.get(ours.get(0)).get(i), base = results.get(auditd).get(i);
            boolean accounted = ours.stream().allMatch(k -> unaccounted(results.get(k).get(at)) == 0);
            boolean small = ours.stream().allMatch(k -> results.get(k).get(at).rssMiB() < 200);
            md.append("| ").append(label(drop.target())).append(" | ").append(Measure.f(100.0 * drop.captured() / Math.max(1, drop.started()), 2))
                    .append("% at ").append(Measure.f(drop.rate(), 0)).append("/s | ").append(accounted ? "met" : "missed").append(" | ")
                    .append(small ? "met" : "missed").append(" | ")
                    .append(String.join(", ", ours.stream().map(k -> Measure.f(perEvent(results.get(k).get(at)) / perEvent(base), 2)).toList()))
                    .append(" |\n");
        }
        md.append("\nWhere the CPU went, in % of one CPU over each window (the machine has ").append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs: at the top rates the sum is the limit).\n")
                .append("Generator: the storm's own process; its audited `connect()` calls make the records in the kernel, so most of its time is\n")
                .append("audit's. kauditd: the kernel thread that sends the records to the daemon's socket. Reader: hostqld's `hostql-audit` thread\n")
                .append("(netlink to journal) or auditd's whole process; socket_events: hostqld's subscriber thread (journal to SQLite); the rest:\n")
                .append("the daemon's other threads. The daemon's figures count until its rows stopped growing (a subscriber that fell behind\n")
                .append("catches up after the storm), the generator's and kauditd's over the storm.\n\n")
                .append("| tool | target | generator | kauditd | reader | socket_events | the rest | sum |\n|---|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < o.rates.size(); i++) {
            for (var e : measured.entrySet()) {
                Measured m = e.getValue().get(i);
                double s = m.window().seconds(), rest = m.window().cpuSeconds() - m.reader() - m.subscriber();
                md.append("| ").append(e.getKey()).append(" | ").append(label(m.window().target()));
                for (double v : new double[] {m.generator(), m.kauditd(), m.reader(), m.subscriber(), Math.max(0, rest),
                        m.generator() + m.kauditd() + m.window().cpuSeconds()}) {
                    md.append(" | ").append(Measure.f(100 * v / s, 1)).append("%");
                }
                md.append(" |\n");
            }
        }
        return md.append("\n").append(Measure.loadNote()).append(" (").append(loadBefore).append(" at its start).\n\n").toString();
    }

    /**
     * The kernel's default backlog_wait_time, 60 * HZ jiffies (15000 on an HZ 250 kernel, 60000 on HZ 1000), with HZ from the
     * kernel's build config; {@link #WAIT_AT_HZ_1000} when that is not readable.
     */
    static int kernelDefaultWait() {
        for (Path config : List.of(Path.of("/proc/config.gz"), Path.of("/boot/config-" + System.getProperty("os.version")))) {
            if (!Files.isReadable(config)) continue;
            try (var in = Files.newInputStream(config);
                    var text = new java.io.BufferedReader(new java.io.InputStreamReader(
                            config.toString().endsWith(".gz") ? new java.util.zip.GZIPInputStream(in) : in, StandardCharsets.UTF_8))) {
                for (String line; (line = text.readLine()) != null; ) {
                    if (line.startsWith("CONFIG_HZ=")) return 60 * Integer.parseInt(line.substring("CONFIG_HZ=".length()).strip());
                }
            } catch (IOException | NumberFormatException e) {
                // try the next place, then the HZ 1000 figure
            }
        }
        return WAIT_AT_HZ_1000;
    }

    private static String row(String tool, Window w) {
        return "| " + tool + " | " + label(w.target()) + " | " + Measure.f(w.rate(), 0) + "/s | " + w.started() + " | " + w.captured() + " | "
                + Measure.f(100.0 * w.captured() / Math.max(1, w.started()), 2) + "% | " + w.kernelLost() + " | "
                + (w.reportedLoss() < 0 ? "n/a" : w.reportedLoss()) + " | " + unaccounted(w) + " | " + Measure.f(100 * w.cpuSeconds() / w.seconds(), 1)
                + "% | " + Measure.f(1000 * perEvent(w), 3) + " | " + Measure.f(w.rssMiB(), 0) + " MiB |\n";
    }

    private static String label(double target) {
        return target > 0 ? Measure.f(target, 0) + "/s" : "max";
    }

    /** CPU seconds per event captured. */
    private static double perEvent(Window w) {
        return w.cpuSeconds() / Math.max(1, w.captured());
    }

    /** Calls neither captured nor counted as lost; for auditd, which reports nothing itself, the kernel's lost records count. */
    static long unaccounted(Window w) {
        return Math.max(0, w.started() - w.captured() - (w.reportedLoss() < 0 ? w.kernelLost() : w.reportedLoss()));
    }

    /** The reader priority boost the daemons started here get: the setting's default, or HOSTQL_AUDIT_READER_PRIORITY_BOOST in this environment. */
    private static int readerBoost() {
        return io.hostql.config.Settings.parse(new String[0], System.getenv()).get(io.hostql.config.flags.AuditFlags.AUDIT_READER_PRIORITY_BOOST);
    }

    /**
     * A window and where its CPU went, in CPU seconds: the generator's own, kauditd's, and of the daemon's
     * {@link Window#cpuSeconds()} its reader's and its socket_events subscriber's (auditd: all of it is its reader).
     */
    record Measured(Window window, double generator, double kauditd, double reader, double subscriber) {}

    /** Each column's median over the runs of one window. */
    private static Measured median(List<Measured> runs) {
        if (runs.size() == 1) return runs.get(0);
        Window w = Window.median(runs.stream().map(Measured::window).toList());
        return new Measured(w, med(runs, Measured::generator), med(runs, Measured::kauditd), med(runs, Measured::reader), med(runs, Measured::subscriber));
    }

    private static double med(List<Measured> runs, ToDoubleFunction<Measured> f) {
        return Measure.median(runs.stream().mapToDouble(f).toArray());
    }

    /** One generator run: its pid, the calls it made, over how long (its own clock) and its own CPU seconds. */
    private record Run(long pid, long calls, double seconds, double cpuSeconds) {
        double rate() {
            return calls / seconds;
        }
    }

    /** Runs the generator at rate (0: unpaced) for seconds, to its end. */
    private static Run generate(Path gen, double rate, int seconds) throws Exception {
        Process p = new ProcessBuilder(gen.toString(), "connect", Double.toString(rate), Integer.toString(seconds), "-")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(seconds + 120L, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("generator failed: " + out);
            String[] f = out.split(" ");
            return new Run(p.pid(), Long.parseLong(f[0]), Long.parseLong(f[1]) / 1e9, Long.parseLong(f[2]) / 1e9);
        } finally {
            p.destroyForcibly();
        }
    }

    private static Measured window(Capture c, Path gen, double rate, int seconds) throws Exception {
        c.begin();
        long lost0 = ExecStorm.kernelLost();
        long wall0 = System.currentTimeMillis();
        double cpu0 = Measure.cpuSeconds(c.pid());
        Map<String, Double> threads0 = Measure.threadCpuSeconds(c.pid());
        long kauditd = kauditdPid();
        double kauditd0 = kauditd > 0 ? Measure.cpuSeconds(kauditd) : 0;
        Measure.resetPeakRss(c.pid());
        Run run = generate(gen, rate, seconds);
        double kauditdCpu = kauditd > 0 ? Measure.cpuSeconds(kauditd) - kauditd0 : Double.NaN;
        List<Long> pids = List.of(run.pid());
        // settled when neither the rows nor the reported losses grow any more; hostqld reports a serial gap 2 s after it
        // saw it, and the row then goes through the journal: 3 s of quiet left such rows to the next window.
        // The CPU counts until the rows stopped growing, not the idle wait for a late loss row.
        long[] rows = {-1};
        double[] cpuEnd = {cpu0};
        List<Map<String, Double>> threadsEnd = new ArrayList<>(List.of(threads0));
        ExecStorm.settle(() -> {
            try {
                long n = c.captured(pids);
                if (n != rows[0]) {
                    rows[0] = n;
                    cpuEnd[0] = Measure.cpuSeconds(c.pid());
                    threadsEnd.set(0, Measure.threadCpuSeconds(c.pid()));
                }
                return n + Math.max(0, c.reportedLoss(wall0));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, SETTLE_QUIET_SECONDS);
        double cpu = cpuEnd[0] - cpu0;
        Window w = new Window(rate, run.calls(), run.seconds(), c.captured(pids), ExecStorm.kernelLost() - lost0, c.reportedLoss(wall0), cpu,
                Measure.peakRss(c.pid()));
        // hostqld's threads by name (Linux keeps 15 characters); auditd has no such threads: all of it is its reader
        double reader = threadDelta(threads0, threadsEnd.get(0), "hostql-audit"), subscriber = threadDelta(threads0, threadsEnd.get(0), "hostql-socket_e");
        if (reader == 0 && subscriber == 0) reader = cpu;
        return new Measured(w, run.cpuSeconds(), kauditdCpu, reader, subscriber);
    }

    private static double threadDelta(Map<String, Double> before, Map<String, Double> after, String name) {
        return after.getOrDefault(name, 0.0) - before.getOrDefault(name, 0.0);
    }

    /** The kernel's kauditd thread, or 0 when there is none (audit never started). */
    private static long kauditdPid() throws IOException {
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String n = p.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit)) continue;
                try {
                    if (Files.readString(p.resolve("comm")).strip().equals("kauditd")) return Long.parseLong(n);
                } catch (IOException e) {
                    // ended meanwhile
                }
            }
        }
        return 0;
    }

    /** hostqld's socket_events rows of the generator, and the events it says it lost. */
    private static final class HostqlSockets implements Capture {
        private final ExecStorm.Hostqld hostqld;

        HostqlSockets(ExecStorm.Hostqld hostqld) {
            this.hostqld = hostqld;
        }

        @Override
        public long pid() {
            return hostqld.pid();
        }

        @Override
        public long captured(List<Long> generators) {
            String in = String.join(",", generators.stream().map(String::valueOf).toList());
            return (Long) hostqld.query("SELECT count(*) FROM socket_events WHERE pid IN (" + in + ")").rows().get(0)[0];
        }

        /**
         * Lost events. Builds before issue 15 wrote the kernel's lost records as a row of records (another unit): left out.
         * Since then that row is an estimate in events ("about N ... events lost"), and counts. Incomplete events were published: left out.
         */
        @Override
        public long reportedLoss(long sinceMillis) {
            Object v = hostqld.query("SELECT sum(count) FROM hostql_event_losses WHERE source = 'audit' AND count > 0 AND capture_time_ns >= "
                    + sinceMillis * 1_000_000L + " AND reason NOT LIKE 'the kernel''s audit ''lost'' counter%' AND reason NOT LIKE '%events incomplete:%'")
                    .rows().get(0)[0];
            return v == null ? 0 : (Long) v;
        }

        @Override
        public void close() throws Exception {
            hostqld.close();
        }
    }

    /** auditd's SYSCALL records of the generator, counted incrementally from where the window began in its log. */
    private static final class AuditdSockets implements Capture {
        private final ExecStorm.Auditd auditd;
        private long offset;
        private List<Long> counting = List.of();
        private long count;

        AuditdSockets(ExecStorm.Auditd auditd) {
            this.auditd = auditd;
        }

        @Override
        public long pid() {
            return auditd.pid();
        }

        @Override
        public void begin() throws IOException {
            offset = Files.size(auditd.log);
        }

        @Override
        public long captured(List<Long> generators) throws IOException {
            if (!generators.equals(counting)) {
                counting = List.copyOf(generators);
                count = 0;
            }
            List<String> needles = generators.stream().map(g -> " pid=" + g + " ").toList();
            ByteBuffer buf = ByteBuffer.allocate(8 << 20);
            try (FileChannel ch = FileChannel.open(auditd.log, StandardOpenOption.READ)) {
                while (true) {
                    buf.clear();
                    int n = ch.read(buf, offset);
                    if (n <= 0) break;
                    String chunk = new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1);
                    int end = chunk.lastIndexOf('\n');
                    if (end < 0) break; // a line auditd is still writing: the next call reads it whole
                    for (String l : chunk.substring(0, end).split("\n")) {
                        if (!l.startsWith("type=SYSCALL")) continue;
                        for (String s : needles) if (l.contains(s)) {
                            count++;
                            break;
                        }
                    }
                    offset += end + 1;
                }
            }
            return count;
        }

        /** auditd reports no losses of its own; the kernel's counter is in its own column. */
        @Override
        public long reportedLoss(long sinceMillis) {
            return -1;
        }

        @Override
        public void close() throws Exception {
            auditd.close();
        }
    }
}
