package io.hostql.bench;

import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
import io.hostql.sql.table.TableRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * Issue 4: the LAUREL comparison's exec storm. {@code /bin/true} is started at fixed rates (and then as
 * fast as the machine allows) for a fixed time each, by generator processes, first with hostqld
 * capturing (owner mode) and then with Debian's auditd writing its raw log (same rules, backlog limit
 * and wait time) as the baseline. Measures capture (rows or log entries per exec started), the losses
 * the kernel and hostql report, CPU of the capturing daemon during the storm and its drain, and peak RSS.
 */
final class ExecStorm {
    private ExecStorm() {}

    private static final int BACKLOG_LIMIT = 8192;
    /** A storm before the measured ones, for each tool (default): a long-running daemon's JIT has long finished compiling. */
    private static final int WARM_UP_SECONDS = 40;
    /** Debian's interpreter by its path: a version-manager shim on the PATH would run (and audit) programs of its own. */
    private static final String PYTHON = "/usr/bin/python3";
    private static final String GENERATOR = """
            import os, sys, time
            rate = float(sys.argv[1]); dur = float(sys.argv[2])
            n = 0; start = time.monotonic(); end = start + dur
            while True:
                now = time.monotonic()
                if now >= end: break
                if rate > 0:
                    due = start + n / rate
                    if due > now:
                        time.sleep(due - now)
                        continue
                os.posix_spawn('/bin/true', ['/bin/true'], {})
                n += 1
                try:
                    while os.waitpid(-1, os.WNOHANG)[0] > 0: pass
                except ChildProcessError: pass
            while True:
                try: os.wait()
                except ChildProcessError: break
            print(n)
            """;

    /** One window: what was started and what the capturing daemon made of it. */
    record Window(double target, long started, double seconds, long captured, long kernelLost, long reportedLoss, double cpuSeconds, double rssMiB) {
        double rate() {
            return started / seconds;
        }

        /** Each column's median over the runs of one window. */
        static Window median(List<Window> runs) {
            if (runs.size() == 1) return runs.get(0);
            return new Window(runs.get(0).target(), (long) med(runs, Window::started), med(runs, Window::seconds), (long) med(runs, Window::captured),
                    (long) med(runs, Window::kernelLost), (long) med(runs, Window::reportedLoss), med(runs, Window::cpuSeconds), med(runs, Window::rssMiB));
        }

        private static double med(List<Window> runs, ToDoubleFunction<Window> f) {
            return Measure.median(runs.stream().mapToDouble(f).toArray());
        }
    }

    /**
     * -Dexec.seconds (30) per window, -Dexec.rates (100,333,1000,max; max: as fast as the generators can), -Dexec.warmup
     * (40 s unpaced per daemon start, 0: none), -Dexec.runs (1; more: rounds of hostqld then auditd, each tool started
     * afresh per round, so that drift on the machine hits both; every column is its median, and each run's CPU is shown).
     */
    record Options(int seconds, List<Double> rates, int warmupSeconds, int runs) {
        static Options fromProperties() {
            return new Options(Measure.atLeast("exec.seconds", 30, 1), Measure.rates("exec.rates", "100,333,1000,max"),
                    Measure.atLeast("exec.warmup", WARM_UP_SECONDS, 0), Measure.atLeast("exec.runs", 1, 1));
        }
    }

    /** A capturing daemon under test. */
    interface Capture extends AutoCloseable {
        long pid();

        /** Called before a window's generator starts: a daemon that counts incrementally marks where the window begins. */
        default void begin() throws IOException {}

        /** Entries for execs whose parent is one of the generator pids. */
        long captured(List<Long> generators) throws Exception;

        /** Losses the tool itself reports since the window began (wall clock ms). */
        long reportedLoss(long sinceMillis) throws Exception;
    }

    static String run(Path home, Path tmp, Options opts) throws Exception {
        String before = auditctl("-s");
        String rulesBefore = auditctl("-l");
        if (auditdRunning()) throw new IllegalStateException("an auditd is running on this machine; stop it first (the storm owns audit)");
        int seconds = opts.seconds;
        List<Double> rates = opts.rates;
        // per rate, each round's window
        List<List<Window>> ourRuns = new ArrayList<>(), theirRuns = new ArrayList<>();
        for (int i = 0; i < rates.size(); i++) {
            ourRuns.add(new ArrayList<>());
            theirRuns.add(new ArrayList<>());
        }
        Path root = Files.createTempDirectory(tmp, "exec");
        Path gen = Files.writeString(root.resolve("gen.py"), GENERATOR);
        double ceiling;
        try {
            ceiling = ceiling(gen, seconds);
            for (int round = 0; round < opts.runs; round++) {
                try (Hostqld h = Hostqld.start(home, root.resolve("hostql-" + round), 0, "")) {
                    if (opts.warmupSeconds > 0) window(h, gen, 0, opts.warmupSeconds);
                    for (int i = 0; i < rates.size(); i++) ourRuns.get(i).add(window(h, gen, rates.get(i), seconds));
                }
                try (Auditd a = Auditd.start(root.resolve("auditd-" + round), 0, "execve,execveat", List.of("b64", "b32"))) {
                    if (opts.warmupSeconds > 0) window(a, gen, 0, opts.warmupSeconds);
                    for (int i = 0; i < rates.size(); i++) theirRuns.get(i).add(window(a, gen, rates.get(i), seconds));
                }
            }
        } finally {
            restoreAudit(before, rulesBefore);
        }
        List<Window> ours = ourRuns.stream().map(Window::median).toList(), theirs = theirRuns.stream().map(Window::median).toList();
        boolean several = opts.runs > 1;
        StringBuilder md = new StringBuilder("## Exec storm: audit → journal → process_events, against auditd (issue 4)\n\n"
                + "Command: `sudo bench/run exec`" + (seconds != 30 || opts.warmupSeconds != WARM_UP_SECONDS || several || !rates.equals(List.of(100.0, 333.0, 1000.0, 0.0))
                        ? " (this run: -Dexec.seconds=" + seconds + " -Dexec.warmup=" + opts.warmupSeconds + " -Dexec.runs=" + opts.runs + " -Dexec.rates="
                                + String.join(",", rates.stream().map(r -> r > 0 ? Measure.f(r, 0) : "max").toList()) + ")" : "") + ".\n\n"
                + "`/bin/true` started by generator processes (Python `posix_spawn`, two when the rate is above 150/s) at each target rate for "
                + seconds + " s (\"max\": as fast as they can), after a " + opts.warmupSeconds + " s warm-up storm (not counted) for each tool."
                + (several ? " The tools ran in " + opts.runs + " rounds (hostqld, auditd, hostqld, auditd...; each started afresh), so that drift on the machine\n"
                        + "hits both; every column is its median over the rounds, and \"CPU per run\" lists each round's." : "")
                + " hostqld runs in owner mode (`audit_backlog_limit` " + BACKLOG_LIMIT
                + ", `audit_backlog_wait_time` 0); then Debian's auditd (raw log, `flush = INCREMENTAL_ASYNC`) with the same exec rules, backlog\n"
                + "limit and wait time is the baseline. Captured: process_events rows (hostqld) or SYSCALL log entries (auditd) whose parent is a\n"
                + "generator. Kernel lost: the rise of the audit `lost` counter (records). Reported: the events hostqld says it lost in\n"
                + "hostql_event_losses (audit source; the kernel's drops counted in events; incomplete events it published are left out).\n"
                + "Unaccounted: execs − captured − reported (for auditd, which reports nothing itself, − kernel lost). CPU: the daemon's user+system time from the storm's start until its output stopped growing, as a share of\n"
                + "the storm's duration; the ratio below compares CPU per exec. The kernel's own audit work (kauditd, the audited execs) is\n"
                + "the same for both and counted for neither. Other processes' execs on the machine during a window are captured (and cost) too.\n\n"
                + "What the machine can offer: the same two generators as fast as they can, with no exec auditing at all (no rules, audit as\n"
                + "found), start " + Measure.f(ceiling, 0) + " execs/s. Auditing each exec slows it in the kernel, whichever tool reads the records.\n\n"
                + "| tool | target | achieved | execs | captured | fraction | kernel lost | reported loss | unaccounted | CPU | peak RSS |"
                + (several ? " CPU per run |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n" : "\n|---|---|---|---|---|---|---|---|---|---|---|\n"));
        for (int i = 0; i < rates.size(); i++) {
            md.append(row("hostqld", ours.get(i), several ? ourRuns.get(i) : null)).append(row("auditd", theirs.get(i), several ? theirRuns.get(i) : null));
        }
        md.append("\n| target | CPU per exec, hostqld / auditd | capture target (100% at ≥ 1,000/s) | every loss accounted | CPU ≤ auditd | RSS < 200 MB |\n|---|---|---|---|---|---|\n");
        for (int i = 0; i < rates.size(); i++) {
            Window o = ours.get(i), t = theirs.get(i);
            // per exec: the two tools' storms at one target do not reach exactly the same rate
            double ratio = (o.cpuSeconds / Math.max(1, o.started)) / Math.max(1e-9, t.cpuSeconds / Math.max(1, t.started));
            String capture = o.rate() >= 1000 ? (o.captured == o.started ? "met" : "missed")
                    : (o.captured == o.started ? "100% at " + Measure.f(o.rate(), 0) + "/s (1,000/s not reached)" : "missed at " + Measure.f(o.rate(), 0) + "/s");
            md.append("| ").append(label(o.target)).append(" | ").append(Measure.f(ratio, 2)).append(" | ").append(capture).append(" | ")
                    .append(unaccounted(o) == 0 ? "met" : "missed").append(" | ").append(ratio <= 1.0 ? "met" : "missed").append(" | ")
                    .append(o.rssMiB < 200 ? "met" : "missed").append(" |\n");
        }
        return md.append('\n').toString();
    }

    /** Execs per second the generators reach before any audit rule is installed: this machine's ceiling. */
    private static double ceiling(Path gen, int seconds) throws Exception {
        return generate(gen, 0, seconds, new ArrayList<>()) / (double) seconds;
    }

    /** Runs the generators (two above 150/s or at max) to the end; how many execs they started. Their pids go to pids. */
    private static long generate(Path gen, double rate, int seconds, List<Long> pids) throws Exception {
        int procs = rate == 0 || rate > 150 ? 2 : 1;
        List<Process> gens = new ArrayList<>();
        for (int i = 0; i < procs; i++) {
            gens.add(new ProcessBuilder(PYTHON, gen.toString(), Double.toString(rate / procs), Integer.toString(seconds))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start());
        }
        long started = 0;
        for (Process p : gens) {
            pids.add(p.pid());
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("generator failed: " + out);
            started += Long.parseLong(out);
        }
        return started;
    }

    private static String label(double target) {
        return target > 0 ? Measure.f(target, 0) + "/s" : "max";
    }

    /**
     * Execs neither captured nor reported lost, in events: hostqld's reported losses already count the kernel's lost records
     * (as events), so those are not taken off again; for auditd, which reports nothing itself (below 0), the kernel's lost count.
     */
    static long unaccounted(Window w) {
        return Math.max(0, w.started - w.captured - (w.reportedLoss < 0 ? w.kernelLost : w.reportedLoss));
    }

    /** A table row; runs (null: one run) adds each run's CPU, in the order they ran. */
    private static String row(String tool, Window w, List<Window> runs) {
        return "| " + tool + " | " + label(w.target) + " | " + Measure.f(w.rate(), 0) + "/s | " + w.started + " | " + w.captured + " | "
                + Measure.f(100.0 * w.captured / Math.max(1, w.started), 2) + "% | " + w.kernelLost + " | " + (w.reportedLoss < 0 ? "n/a" : w.reportedLoss)
                + " | " + unaccounted(w) + " | " + cpu(w) + " | " + Measure.f(w.rssMiB, 0) + " MiB |"
                + (runs == null ? "" : " " + String.join(", ", runs.stream().map(ExecStorm::cpu).toList()) + " |") + "\n";
    }

    /** CPU as a share of one core over the window. */
    private static String cpu(Window w) {
        return Measure.f(100 * w.cpuSeconds / w.seconds, 1) + "%";
    }

    private static Window window(Capture c, Path gen, double rate, int seconds) throws Exception {
        long lost0 = kernelLost();
        long wall0 = System.currentTimeMillis();
        double cpu0 = Measure.cpuSeconds(c.pid());
        List<Long> pids = new ArrayList<>();
        long started = generate(gen, rate, seconds, pids);
        long captured = settle(() -> {
            try {
                return c.captured(pids);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        double cpu = Measure.cpuSeconds(c.pid()) - cpu0;
        return new Window(rate, started, seconds, captured, kernelLost() - lost0, c.reportedLoss(wall0), cpu, Measure.peakRss(c.pid()));
    }

    /** Waits until the count has not grown for 3 s (at most 5 minutes) and returns it. */
    static long settle(LongSupplier count) throws InterruptedException {
        return settle(count, 3);
    }

    /** Waits until the count has not grown for quietSeconds (at most 5 minutes) and returns it. */
    static long settle(LongSupplier count, int quietSeconds) throws InterruptedException {
        long last = -1, since = System.nanoTime(), end = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < end) {
            long n = count.getAsLong();
            if (n != last) {
                last = n;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > quietSeconds * 1_000_000_000L) {
                break;
            }
            Thread.sleep(200);
        }
        return last;
    }

    static String auditctl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("auditctl"));
        cmd.addAll(List.of(args));
        return Measure.run(cmd.toArray(new String[0]));
    }

    static long kernelLost() throws IOException, InterruptedException {
        for (String l : auditctl("-s").split("\n")) if (l.startsWith("lost ")) return Long.parseLong(l.substring(5).strip());
        return 0;
    }

    static boolean auditdRunning() {
        return ProcessHandle.allProcesses().anyMatch(h -> h.info().command().map(c -> c.endsWith("/auditd")).orElse(false));
    }

    /** Puts enabled, failure, backlog_limit, backlog_wait_time and the rules back as auditctl -s and auditctl -l showed them. */
    static void restoreAudit(String status, String rules) throws IOException, InterruptedException {
        for (String line : status.split("\n")) {
            String[] kv = line.split(" ");
            if (kv.length != 2) continue;
            switch (kv[0]) {
                case "enabled" -> auditctl("-e", kv[1]);
                case "failure" -> auditctl("-f", kv[1]);
                case "backlog_limit" -> auditctl("-b", kv[1]);
                case "backlog_wait_time" -> auditctl("--backlog_wait_time", kv[1]);
                default -> { }
            }
        }
        auditctl("-D");
        // auditctl -l prints each rule as the arguments that add it (a rule whose values hold spaces would not survive this)
        for (String rule : rules.split("\n")) {
            if (rule.startsWith("-")) auditctl(rule.strip().split("\\s+"));
        }
    }

    /** hostqld in owner mode: process_events only, or what moreOptions (JSON members, each with a leading comma) add. */
    static final class Hostqld implements Capture {
        final Process process;
        final Path data;

        private Hostqld(Process process, Path data) {
            this.process = process;
            this.data = data;
        }

        static Hostqld start(Path home, Path dir, int backlogWaitTime, String moreOptions) throws Exception {
            Files.createDirectories(dir);
            Path config = Files.writeString(dir.resolve("hostql.conf"), "{\"options\": {\"disable_audit\": false, \"audit_mode\": \"owner\","
                    + " \"audit_allow_user_events\": false, \"audit_backlog_limit\": " + BACKLOG_LIMIT + ", \"audit_backlog_wait_time\": "
                    + backlogWaitTime + moreOptions + "}}");
            Process p = Measure.startHostqld(home, dir, config, "--events_max=0", "--events_max_bytes=0", "--events_retention_interval=3600");
            if (!Files.readString(dir.resolve("hostqld.out")).contains("audit: owner mode")) {
                p.destroy();
                throw new IllegalStateException("hostqld did not take audit: " + Files.readString(dir.resolve("hostqld.out")));
            }
            return new Hostqld(p, dir.resolve("data"));
        }

        @Override
        public long pid() {
            return process.pid();
        }

        QueryResult query(String sql) {
            try (Database db = Database.open(new TableRegistry())) {
                db.attachReadOnly(data.resolve("events.db"), "events");
                return db.query(sql);
            }
        }

        @Override
        public long captured(List<Long> generators) {
            String in = String.join(",", generators.stream().map(String::valueOf).toList());
            return (Long) query("SELECT count(*) FROM process_events WHERE path = '/usr/bin/true' AND parent IN (" + in + ")").rows().get(0)[0];
        }

        @Override
        public long reportedLoss(long sinceMillis) {
            // an incomplete event was published (and captured): not a loss
            Object v = query("SELECT sum(count) FROM hostql_event_losses WHERE source = 'audit' AND count > 0 AND capture_time_ns >= "
                    + sinceMillis * 1_000_000L + " AND reason NOT LIKE '%events incomplete:%'").rows().get(0)[0];
            return v == null ? 0 : (Long) v;
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Debian's auditd in the foreground, raw log, with rules for the given syscalls on the given architectures (not for itself). */
    static final class Auditd implements Capture {
        final Process process;
        final Path log;

        private Auditd(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static Auditd start(Path dir, int backlogWaitTime, String syscalls, List<String> arches) throws Exception {
            Files.createDirectories(dir.resolve("plugins"));
            Path log = dir.resolve("audit.log");
            String conf = Files.readString(Path.of("/etc/audit/auditd.conf"))
                    .replaceAll("(?m)^log_file\\s*=.*$", "log_file = " + log)
                    .replaceAll("(?m)^log_format\\s*=.*$", "log_format = RAW")
                    .replaceAll("(?m)^log_group\\s*=.*$", "log_group = root")
                    .replaceAll("(?m)^max_log_file_action\\s*=.*$", "max_log_file_action = IGNORE")
                    .replaceAll("(?m)^plugin_dir\\s*=.*$", "plugin_dir = " + dir.resolve("plugins"));
            Path file = Files.writeString(dir.resolve("auditd.conf"), conf);
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Process p = new ProcessBuilder("/usr/sbin/auditd", "-n", "-c", dir.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("auditd.out").toFile()).start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!auditctl("-s").contains("pid " + p.pid())) {
                if (!p.isAlive() || System.nanoTime() > deadline) throw new IllegalStateException("auditd did not start: " + Files.readString(dir.resolve("auditd.out")));
                Thread.sleep(50);
            }
            auditctl("-b", Integer.toString(BACKLOG_LIMIT));
            auditctl("--backlog_wait_time", Integer.toString(backlogWaitTime));
            // as hostqld's rules leave hostqld out, these leave auditd out
            for (String arch : arches) {
                auditctl("-a", "always,exit", "-F", "arch=" + arch, "-S", syscalls, "-F", "pid!=" + p.pid(), "-k", "bench");
            }
            return new Auditd(p, log);
        }

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public long captured(List<Long> generators) throws IOException {
            List<String> needles = generators.stream().map(g -> " ppid=" + g + " ").toList();
            long n = 0;
            try (var lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
                for (var it = lines.iterator(); it.hasNext(); ) {
                    String l = it.next();
                    if (!l.startsWith("type=SYSCALL") || !l.contains("exe=\"/usr/bin/true\"")) continue;
                    for (String s : needles) if (l.contains(s)) {
                        n++;
                        break;
                    }
                }
            }
            return n;
        }

        /** auditd reports no losses of its own (-1: n/a); the kernel's counter is in its own column, and is its unaccounted loss's. */
        @Override
        public long reportedLoss(long sinceMillis) {
            return -1;
        }

        @Override
        public void close() throws Exception {
            auditctl("-D");
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
