package io.hostql.bench;

import io.hostql.events.Clock;
import io.hostql.events.FileEvent;
import io.hostql.events.HardwareEvent;
import io.hostql.events.JournalEntry;
import io.hostql.events.LossEvent;
import io.hostql.events.ProcessEvent;
import io.hostql.events.SocketEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Issue 10's soak: mixed file, exec, connect and hotplug storms against hostqld for a given time, with
 * {@code kill -9} of hostqld every few minutes (restarted at once, as systemd would), and its data dir (a
 * tmpfs the soak mounts) filled to the last byte by a filler file and freed, twice. Then, with hostqld
 * stopped, it checks that every journal record is in its table exactly once ({@link SoakCheck}), that every
 * storm operation made while hostqld ran is in the journal or counted by a loss record, and that hostqld's
 * RSS and open descriptors stayed flat. {@code bench/run soak [--minutes 30] [...]}; see {@link Options}.
 *
 * <p>Ground truth for each storm: the file storm (one Java thread) creates, writes and deletes a file per
 * operation (4 inotify events); the exec storm (C, fork + execve /bin/true) logs each child's pid; the
 * connect storm (C, one UDP socket, connect() to 127.0.0.1) names call i by its port, 20000 + i % 40000;
 * the hotplug storm ({@code losetup -f --show}, {@code losetup -d}) is checked by the kernel's SEQNUM,
 * which has no gap within one hostqld run unless uevents were lost. An operation counts as expected when
 * it started while hostqld ran: from its pidfile (+2 s for the publishers to settle) to 1 s before a kill.
 */
final class Soak {
    private Soak() {}

    static final String HEADING = "## Soak: mixed storms, kill -9 and a full disk (issue 10)";

    /** The file storm's inotify events per operation: IN_CREATE, IN_MODIFY, IN_CLOSE_WRITE, IN_DELETE. */
    private static final int EVENTS_PER_FILE = 4;
    private static final long SETTLE_AFTER_START_NS = 2_000_000_000L, GUARD_BEFORE_KILL_NS = 1_000_000_000L;

    /** The run's parameters: {@code --name value} pairs. */
    record Options(int minutes, int killSeconds, List<Integer> fillAt, int fillSeconds, int tmpfsMiB, double fileRate, double execRate,
            double connectRate, double hotplugRate, int sampleSeconds, boolean audit, List<String> given) {
        static Options parse(List<String> args) {
            Map<String, String> m = new HashMap<>();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (!a.startsWith("--") || i + 1 >= args.size()) throw new IllegalArgumentException("soak: expected --name value, got '" + a + "'");
                m.put(a.substring(2), args.get(++i));
            }
            List<String> known = List.of("minutes", "kill-every", "fill-at", "fill-seconds", "tmpfs-mib", "file-rate", "exec-rate", "connect-rate",
                    "hotplug-rate", "sample-seconds", "audit");
            for (String k : m.keySet()) if (!known.contains(k)) throw new IllegalArgumentException("soak: unknown option --" + k + " (known: " + known + ")");
            int minutes = (int) number(m, "minutes", "30");
            if (minutes < 1) throw new IllegalArgumentException("soak: --minutes must be at least 1, got " + minutes);
            int kill = (int) number(m, "kill-every", "120");
            if (kill < 10) throw new IllegalArgumentException("soak: --kill-every takes seconds, at least 10 (hostqld needs a few to start), got " + kill);
            for (String k : List.of("exec-rate", "connect-rate", "sample-seconds", "tmpfs-mib")) {
                if (number(m, k, "1") <= 0) throw new IllegalArgumentException("soak: --" + k + " must be more than 0");
            }
            String audit = m.getOrDefault("audit", "true");
            if (!audit.equals("true") && !audit.equals("false")) throw new IllegalArgumentException("soak: --audit takes true or false, got '" + audit + "'");
            int seconds = minutes * 60;
            int fillSeconds = (int) number(m, "fill-seconds", Integer.toString(Math.min(60, seconds / 6)));
            List<Integer> fillAt = new ArrayList<>();
            if (m.containsKey("fill-at")) {
                for (String s : m.get("fill-at").split(",")) fillAt.add((int) number(Map.of("fill-at", s.strip()), "fill-at", "0"));
            } else {
                // At a third and two thirds of the run, moved past a kill that would fall inside the fill.
                for (int i = 1; i <= 2; i++) {
                    int at = seconds * i / 3;
                    int nextKill = (at / kill + (at % kill == 0 ? 0 : 1)) * kill;
                    if (nextKill <= at + fillSeconds) at = nextKill + 10;
                    fillAt.add(at);
                }
            }
            return new Options(minutes, kill, fillAt, fillSeconds, (int) number(m, "tmpfs-mib", "1536"),
                    number(m, "file-rate", "100"), number(m, "exec-rate", "50"),
                    number(m, "connect-rate", "200"), number(m, "hotplug-rate", "1"),
                    (int) number(m, "sample-seconds", "3"), Boolean.parseBoolean(m.getOrDefault("audit", "true")), List.copyOf(args));
        }

        /** A positive number option, or a message naming it. */
        private static double number(Map<String, String> m, String key, String dflt) {
            String v = m.getOrDefault(key, dflt);
            try {
                double d = Double.parseDouble(v);
                if (d < 0 || Double.isNaN(d)) throw new NumberFormatException();
                return d;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("soak: --" + key + " takes a number of 0 or more, got '" + v + "'");
            }
        }
    }

    /** Something that happened to hostqld or its disk, at an epoch time in ns. */
    record Mark(long at, String kind, String detail) {}

    /** hostqld's memory and descriptors, and the machine's 1-minute load average (hundredths) at the time. */
    record Sample(long at, long pid, long rssKiB, long fds, long load) {}

    static long loadAverage() {
        try {
            return Math.round(Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]) * 100);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static String run(Path home, Path tmp, Options o) throws Exception {
        String auditBefore = o.audit ? ExecStorm.auditctl("-s") : null;
        String rulesBefore = o.audit ? ExecStorm.auditctl("-l") : null;
        String owner = o.audit ? auditOwner(auditBefore) : null;
        if (owner != null) throw new IllegalStateException("kernel audit is owned by " + owner + "; the soak needs it (try again when it is free)");
        Path root = Files.createTempDirectory(tmp, "soak");
        Path data = Files.createDirectories(root.resolve("data"));
        Path tree = Files.createDirectories(root.resolve("tree"));
        check("mount", "-t", "tmpfs", "-o", "size=" + o.tmpfsMiB + "m,mode=0700", "soak-data", data.toString());
        try {
            return soak(home, root, data, tree, o);
        } catch (Exception e) {
            // Under its own heading, so that a failed soak replaces the last result in docs/benchmarks.md.
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(trace));
            Files.writeString(root.resolve("failure.txt"), trace.toString());
            return HEADING + "\n\n**The soak failed:** " + e + " (" + root + ")\n\n";
        } finally {
            if (o.audit) ExecStorm.restoreAudit(auditBefore, rulesBefore);
            Measure.run("umount", data.toString());
        }
    }

    /** Who holds kernel audit (a live pid other than none), or null. */
    static String auditOwner(String status) {
        for (String l : status.split("\n")) {
            if (!l.startsWith("pid ")) continue;
            long pid = Long.parseLong(l.substring(4).strip());
            if (pid == 0) return null;
            return ProcessHandle.of(pid).map(h -> "pid " + pid + " (" + h.info().command().orElse("?") + ")").orElse(null);
        }
        return null;
    }

    private static String soak(Path home, Path root, Path data, Path tree, Options o) throws Exception {
        for (int d = 0; d < 20; d++) Files.createDirectories(tree.resolve("d" + d));
        Path config = Files.writeString(root.resolve("hostql.conf"), "{\"options\": {" + (o.audit ? "\"disable_audit\": false, \"audit_mode\": \"owner\","
                + " \"audit_allow_sockets\": true, \"audit_allow_user_events\": false, \"audit_backlog_limit\": 8192, \"audit_backlog_wait_time\": 0"
                : "\"disable_audit\": true") + "}, \"file_paths\": {\"soak\": [\"" + tree + "/%%\"]}}");
        String[] flags = {"--hardware_events_source=kernel", "--events_max=0", "--events_max_bytes=0", "--events_expiry=0",
                "--events_retention_interval=3600"};
        Path gen = compileGenerator(root);
        Path image = root.resolve("loop.img");
        Files.write(image, new byte[1 << 20]);

        List<Mark> marks = java.util.Collections.synchronizedList(new ArrayList<>());
        long seconds = o.minutes * 60L;
        Daemon daemon = new Daemon(home, root, config, flags, marks);
        List<Process> generators = new ArrayList<>();
        try {
            return soak(root, data, tree, o, gen, image, marks, seconds, daemon, generators);
        } finally {
            // Whatever failed: nothing the soak started outlives it (the tmpfs is unmounted next).
            for (Process p : generators) p.destroyForcibly();
            if (daemon.process != null && daemon.process.isAlive()) {
                daemon.process.destroyForcibly();
                daemon.process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static String soak(Path root, Path data, Path tree, Options o, Path gen, Path image, List<Mark> marks, long seconds, Daemon daemon,
            List<Process> generators) throws Exception {
        List<Sample> samples = new ArrayList<>();
        daemon.launch();
        if (!daemon.awaitReady(TimeUnit.MINUTES.toNanos(2))) throw new IllegalStateException("hostqld did not start: see " + root.resolve("hostqld.out"));
        long t0 = System.nanoTime();
        long end = t0 + TimeUnit.SECONDS.toNanos(seconds);

        // Without audit (--audit false: when another process owns it) the exec and connect storms do not run.
        Process execGen = o.audit ? new ProcessBuilder(gen.toString(), "exec", Double.toString(o.execRate), Long.toString(seconds), root.resolve("exec.log").toString())
                .redirectErrorStream(true).redirectOutput(root.resolve("exec.out").toFile()).start() : null;
        Process connectGen = o.audit ? new ProcessBuilder(gen.toString(), "connect", Double.toString(o.connectRate), Long.toString(seconds),
                root.resolve("connect.log").toString()).redirectErrorStream(true).redirectOutput(root.resolve("connect.out").toFile()).start() : null;
        if (o.audit) {
            generators.add(execGen);
            generators.add(connectGen);
        }
        FileStormThread files = new FileStormThread(tree, o.fileRate, end);
        HotplugThread hotplug = new HotplugThread(image, o.hotplugRate, end);
        files.start();
        hotplug.start();

        List<long[]> fills = new ArrayList<>(); // start, end (s since t0)
        for (int at : o.fillAt) fills.add(new long[] {at, at + o.fillSeconds});
        Filler filler = null;
        int fillIndex = 0;
        long nextKill = t0 + TimeUnit.SECONDS.toNanos(o.killSeconds), nextSample = t0;
        int kills = 0;
        while (System.nanoTime() < end) {
            long now = System.nanoTime();
            double sinceStart = (now - t0) / 1e9;
            if (now >= nextSample) {
                Sample s = daemon.sample();
                if (s != null) samples.add(s);
                nextSample += TimeUnit.SECONDS.toNanos(o.sampleSeconds);
            }
            // A hostqld still starting is not killed: the kill waits until it has run a few seconds (a slow start is reported).
            if (now >= nextKill && daemon.ready && System.nanoTime() - daemon.readyAt > 5_000_000_000L) {
                daemon.kill9();
                kills++;
                while (nextKill <= System.nanoTime()) nextKill += TimeUnit.SECONDS.toNanos(o.killSeconds);
            }
            // The disk fills under a running hostqld: a fill due while it is still starting waits (as a kill does), then lasts its time.
            if (filler == null && fillIndex < fills.size() && sinceStart >= fills.get(fillIndex)[0] && daemon.ready
                    && System.nanoTime() - daemon.readyAt > 5_000_000_000L) {
                filler = new Filler(data.resolve("filler"), marks);
                filler.start();
                fills.get(fillIndex)[1] = Math.round(sinceStart) + o.fillSeconds;
            } else if (filler != null && sinceStart >= fills.get(fillIndex)[1]) {
                filler.free();
                filler = null;
                fillIndex++;
            }
            daemon.poll();
            Thread.sleep(100);
        }
        if (filler != null) filler.free();
        for (Process g : generators) waitFor(g, "the " + (g == execGen ? "exec" : "connect") + " storm's generator");
        files.join();
        hotplug.join();
        marks.add(new Mark(Clock.nowNanos(), "storms end", ""));
        // Let the subscribers finish the backlog, then stop hostqld cleanly: the check reads a quiet data dir. A hostqld
        // that cannot start any more (a crash loop) is a finding: the check then reads what it left.
        boolean upAtEnd = daemon.awaitReady(TimeUnit.MINUTES.toNanos(2));
        long rowsAtEnd = -1;
        if (upAtEnd) {
            rowsAtEnd = settle(data.resolve("events.db"));
            samples.add(daemon.sample());
            daemon.stop();
        } else {
            marks.add(new Mark(Clock.nowNanos(), "not running at the end", "hostqld did not start within 2 minutes after the storms"));
            daemon.process.destroyForcibly();
            daemon.process.waitFor(30, TimeUnit.SECONDS);
        }

        SoakCheck.JournalScan scan = SoakCheck.scan(data, root);
        List<SoakCheck.TableResult> tables = SoakCheck.compare(scan, data.resolve("events.db"));
        Ops ops = o.audit ? new Ops(files.ops, readLongs(root.resolve("exec.log")), readLongs(root.resolve("connect.log")), execGen.pid(), connectGen.pid())
                : new Ops(files.ops, List.of(), List.of(), -1, -1);
        String report = report(o, root, tree, marks, samples.stream().filter(java.util.Objects::nonNull).toList(), kills, files, hotplug, ops, scan,
                tables, rowsAtEnd, upAtEnd, daemon);
        Files.writeString(root.resolve("report.md"), report);
        if (report.contains("**")) keepData(data, root.resolve("data-at-end"));
        return report;
    }

    // ---- hostqld under supervision -------------------------------------------------------------

    /**
     * hostqld under supervision, as systemd would run it (Restart=always, no delay): launched, counted as
     * started when its pidfile names it, killed, relaunched when it ends. Never blocks the soak's schedule: a
     * start that hangs is diagnosed (thread dump into hostqld.out, task states) and given up after a while.
     */
    private static final class Daemon {
        private static final long DIAGNOSE_AFTER_NS = 15_000_000_000L, GIVE_UP_AFTER_NS = 120_000_000_000L;
        final Path home, root, config;
        final String[] flags;
        final List<Mark> marks;
        Process process;
        boolean ready, diagnosed;
        long launchedAt, readyAt;
        int starts, failedStarts, unexpectedExits;
        final List<String> exits = new ArrayList<>();
        final List<Double> startSeconds = new ArrayList<>();

        Daemon(Path home, Path root, Path config, String[] flags, List<Mark> marks) {
            this.home = home;
            this.root = root;
            this.config = config;
            this.flags = flags;
            this.marks = marks;
        }

        void launch() throws IOException {
            process = Measure.launchHostqld(home, root, config, flags);
            launchedAt = System.nanoTime();
            ready = false;
            diagnosed = false;
            marks.add(new Mark(Clock.nowNanos(), "launched", "pid " + process.pid()));
        }

        /** Called every 100 ms: notices a finished start, a start that hangs, and an exit the soak did not cause. */
        void poll() throws Exception {
            long waited = System.nanoTime() - launchedAt;
            if (!process.isAlive()) {
                String line = "pid " + process.pid() + (ready ? " exited by itself" : " exited while starting") + " with status " + process.exitValue()
                        + lastProblem();
                if (ready) unexpectedExits++;
                else failedStarts++;
                exits.add(line);
                marks.add(new Mark(Clock.nowNanos(), ready ? "exited" : "start failed", line));
                launch();
                return;
            }
            if (ready) return;
            if (Measure.pidfileNames(root.resolve("pid"), process.pid())) {
                ready = true;
                readyAt = System.nanoTime();
                starts++;
                startSeconds.add(waited / 1e9);
                marks.add(new Mark(Clock.nowNanos(), "started", "pid " + process.pid() + " in " + Measure.f(waited / 1e9, 1) + " s"));
            } else if (waited > DIAGNOSE_AFTER_NS && !diagnosed) {
                diagnosed = true;
                marks.add(new Mark(Clock.nowNanos(), "slow start", "pid " + process.pid() + " not started after " + DIAGNOSE_AFTER_NS / 1_000_000_000L
                        + " s: " + diagnose(process.pid())));
            } else if (waited > GIVE_UP_AFTER_NS) {
                failedStarts++;
                marks.add(new Mark(Clock.nowNanos(), "start failed", "pid " + process.pid() + " not started after " + GIVE_UP_AFTER_NS / 1_000_000_000L
                        + " s: " + diagnose(process.pid()) + "; killed"));
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
                launch();
            }
        }

        /** The last exception hostqld printed, with its first hostql frame: why it ended. */
        private String lastProblem() {
            try {
                List<String> lines = Files.readAllLines(root.resolve("hostqld.out"), StandardCharsets.ISO_8859_1);
                for (int i = lines.size() - 1; i >= Math.max(0, lines.size() - 400); i--) {
                    String l = lines.get(i);
                    if (!(l.contains("Exception") || l.contains("Error")) || l.startsWith("\t")) continue;
                    String frame = "";
                    for (int j = i + 1; j < Math.min(lines.size(), i + 40); j++) {
                        if (lines.get(j).contains("at io.hostql.")) {
                            frame = " " + lines.get(j).strip();
                            break;
                        }
                    }
                    return ": " + l.strip() + frame;
                }
            } catch (IOException e) {
                // no output to read
            }
            return "";
        }

        /** Where a hung start is: its threads' states and kernel wait channels; a JVM also prints its thread dump to hostqld.out. */
        private String diagnose(long pid) {
            try {
                String comm = Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
                Map<String, Integer> waits = new TreeMap<>();
                try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
                    for (Path t : (Iterable<Path>) tasks::iterator) {
                        String state = Files.readAllLines(t.resolve("status")).stream().filter(l -> l.startsWith("State:")).findFirst().orElse("?")
                                .replace("State:", "").strip();
                        String wchan = Files.readString(t.resolve("wchan")).strip();
                        waits.merge(state + " in " + (wchan.isEmpty() || wchan.equals("0") ? "-" : wchan), 1, Integer::sum);
                    }
                }
                if (comm.equals("java")) Measure.run("kill", "-QUIT", Long.toString(pid)); // the JVM's thread dump, to its stdout
                return comm + " threads " + waits + (comm.equals("java") ? "; thread dump in hostqld.out" : "");
            } catch (Exception e) {
                return "cannot read /proc/" + pid + ": " + e.getMessage();
            }
        }

        void kill9() throws Exception {
            marks.add(new Mark(Clock.nowNanos(), "kill -9", "pid " + process.pid() + (ready ? "" : " (still starting)")));
            process.destroyForcibly(); // SIGKILL: bin/hostqld execs the JVM, so this is hostqld itself
            process.waitFor(30, TimeUnit.SECONDS);
            launch();
        }

        /** Waits (polling) until hostqld has started, at most the given time. */
        boolean awaitReady(long nanos) throws Exception {
            long end = System.nanoTime() + nanos;
            while (!ready && System.nanoTime() < end) {
                poll();
                Thread.sleep(100);
            }
            return ready;
        }

        Sample sample() {
            if (!ready) return null;
            long pid = process.pid();
            try {
                long rss = -1;
                for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (l.startsWith("VmRSS:")) rss = Long.parseLong(l.replaceAll("\\D", ""));
                }
                long fds;
                try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                    fds = s.count();
                }
                return new Sample(Clock.nowNanos(), pid, rss, fds, loadAverage());
            } catch (IOException | RuntimeException e) {
                return null; // it died between the check and the read: poll() relaunches it
            }
        }

        void stop() throws InterruptedException {
            marks.add(new Mark(Clock.nowNanos(), "stopped", "pid " + process.pid() + " (SIGTERM)"));
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** A copy of the data dir hostqld left (not the filler), on disk, for whoever looks into what the soak found. */
    private static void keepData(Path data, Path to) {
        try {
            Files.createDirectories(to);
            try (var s = Files.list(data)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    if (p.getFileName().toString().equals("filler")) continue;
                    if (Files.isDirectory(p)) SoakCheck.copyTree(p, to.resolve(p.getFileName().toString()));
                    else Files.copy(p, to.resolve(p.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            System.err.println("soak: could not keep a copy of the data dir: " + e);
        }
    }

    /** Waits until the evented tables stop growing for 5 s (at most 3 minutes); their total rows. */
    private static long settle(Path eventsDb) throws InterruptedException {
        long last = -1, since = System.nanoTime(), limit = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < limit) {
            long n = -1;
            try (io.hostql.sql.Database db = io.hostql.sql.Database.open(new io.hostql.sql.table.TableRegistry())) {
                db.attachReadOnly(eventsDb, "events");
                StringBuilder sql = new StringBuilder("SELECT 0");
                for (String t : SoakCheck.TABLES) sql.append(" + (SELECT count(*) FROM ").append(t).append(")");
                n = (Long) db.query(sql.toString()).rows().get(0)[0];
            } catch (RuntimeException e) {
                // unreadable while it is rebuilt, say: keep waiting
            }
            if (n != last) {
                last = n;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > 5_000_000_000L) {
                break;
            }
            Thread.sleep(500);
        }
        return last;
    }

    // ---- storms --------------------------------------------------------------------------------

    /**
     * Creates, writes (64 bytes) and closes one file per operation, at a fixed rate, and deletes it a second
     * later. Not at once: a close whose last reference another process holds for a moment (anything reading
     * /proc/PID/fd does) is released after an immediate unlink, and the kernel then drops its IN_CLOSE_WRITE
     * (hostqld watches with IN_EXCL_UNLINK). 8 of 18,000 files lost it that way on a busy machine.
     */
    private static final class FileStormThread extends Thread {
        private static final int DELETE_LAG = 100;
        final Path tree;
        final double rate;
        final long end;
        /** Per operation: its start and its file's deletion (epoch ns). Operation i's file is d(i % 20)/f(i). */
        final LongList ops = new LongList(), deleted = new LongList();
        volatile String failure;

        FileStormThread(Path tree, double rate, long end) {
            super("soak-files");
            setDaemon(true);
            this.tree = tree;
            this.rate = rate;
            this.end = end;
        }

        @Override
        public void run() {
            byte[] content = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
            long start = System.nanoTime();
            try {
                for (int i = 0; ; i++) {
                    long due = start + (long) (i * 1e9 / rate);
                    if (due >= end || System.nanoTime() >= end) break; // behind the rate on a loaded machine, never past the end
                    long wait = due - System.nanoTime();
                    if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                    Path f = path(tree, i);
                    ops.add(Clock.nowNanos());
                    try (OutputStream out = Files.newOutputStream(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        out.write(content);
                    }
                    if (i >= DELETE_LAG) delete(i - DELETE_LAG);
                }
            } catch (Exception e) {
                failure = e.toString();
            }
            try {
                while (deleted.size() < ops.size()) {
                    delete(deleted.size());
                    TimeUnit.NANOSECONDS.sleep((long) (1e9 / rate));
                }
            } catch (Exception e) {
                if (failure == null) failure = e.toString();
            }
        }

        private void delete(int i) throws IOException {
            Files.delete(path(tree, i));
            deleted.add(Clock.nowNanos());
        }

        static Path path(Path tree, long i) {
            return tree.resolve("d" + (i % 20)).resolve("f" + i);
        }
    }

    /** losetup -f --show on an image, then losetup -d, at a fixed rate: the kernel sends uevents for the loop disk. */
    private static final class HotplugThread extends Thread {
        final Path image;
        final double rate;
        final long end;
        int cycles, failures;
        String lastFailure;

        HotplugThread(Path image, double rate, long end) {
            super("soak-hotplug");
            setDaemon(true);
            this.image = image;
            this.rate = rate;
            this.end = end;
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            for (int i = 0; ; i++) {
                long due = start + (long) (i * 1e9 / rate);
                if (due >= end || System.nanoTime() >= end) break;
                try {
                    long wait = due - System.nanoTime();
                    if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                    String dev = Measure.run("losetup", "-f", "--show", image.toString());
                    if (!dev.startsWith("/dev/loop")) throw new IllegalStateException("losetup -f --show printed '" + dev + "'");
                    check("losetup", "-d", dev);
                    cycles++;
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    failures++;
                    lastFailure = e.getMessage();
                }
            }
        }
    }

    /** Fills a file system to its last byte with one file, and deletes it when told. */
    private static final class Filler extends Thread {
        final Path file;
        final List<Mark> marks;
        volatile long bytes;
        volatile boolean stop;

        Filler(Path file, List<Mark> marks) {
            super("soak-filler");
            setDaemon(true);
            this.file = file;
            this.marks = marks;
        }

        @Override
        public void run() {
            marks.add(new Mark(Clock.nowNanos(), "fill", "filler started"));
            byte[] block = new byte[1 << 20];
            try (OutputStream out = Files.newOutputStream(file)) {
                int size = block.length;
                // Down to single bytes: hostqld's files may take the last pages as they are freed and taken again.
                while (size > 0 && !stop) {
                    try {
                        out.write(block, 0, size);
                        bytes += size;
                    } catch (IOException full) {
                        size /= 2;
                    }
                }
                marks.add(new Mark(Clock.nowNanos(), "full", (bytes >> 20) + " MiB filler; no space left"));
                // Kept full: space hostqld frees (a deleted file, say) is taken again, as a runaway writer would.
                while (!stop) {
                    for (int n = 4096; n > 0; n /= 2) {
                        try {
                            out.write(block, 0, n);
                            bytes += n;
                        } catch (IOException full) {
                            // still full at this size
                        }
                    }
                    Thread.sleep(200);
                }
            } catch (IOException | InterruptedException e) {
                marks.add(new Mark(Clock.nowNanos(), "fill", "filler failed: " + e));
            }
        }

        void free() throws Exception {
            stop = true;
            join();
            Files.deleteIfExists(file);
            marks.add(new Mark(Clock.nowNanos(), "freed", (bytes >> 20) + " MiB filler deleted"));
        }
    }

    // ---- the gap check -------------------------------------------------------------------------

    /** What the storms did, for the check. */
    record Ops(LongList files, List<long[]> execs, List<long[]> connects, long execGenerator, long connectGenerator) {}

    /** Up windows of hostqld (epoch ns), and the disk-full spans within them, from the marks. */
    private static final class Timeline {
        final List<long[]> up = new ArrayList<>(); // settled start, guard end, run number
        final List<long[]> full = new ArrayList<>(); // fill start, freed

        Timeline(List<Mark> marks) {
            long started = -1, fill = -1;
            int run = 0;
            for (Mark m : marks) {
                switch (m.kind()) {
                    case "started" -> started = m.at();
                    case "kill -9", "exited", "stopped" -> {
                        if (started >= 0) up.add(new long[] {started + SETTLE_AFTER_START_NS, m.kind().equals("exited") ? m.at() : m.at() - GUARD_BEFORE_KILL_NS, run++});
                        started = -1;
                    }
                    case "fill" -> {
                        if (fill < 0) fill = m.at();
                    }
                    case "freed" -> {
                        full.add(new long[] {fill, m.at()});
                        fill = -1;
                    }
                    default -> { }
                }
            }
        }

        /** The run an operation at time t falls in, or -1 (hostqld down, starting, or about to be killed). */
        int run(long t) {
            for (long[] u : up) if (t >= u[0] && t <= u[1]) return (int) u[2];
            return -1;
        }

        /** Where t falls in its run: seconds after hostqld's pidfile, and before the run's end. */
        String describe(long t) {
            for (long[] u : up) {
                if (t >= u[0] && t <= u[1]) {
                    return Measure.f((t - u[0] + SETTLE_AFTER_START_NS) / 1e9, 2) + " s after the start of run " + u[2] + ", "
                            + Measure.f((u[1] - t) / 1e9, 2) + " s before its end (less the guard)" + (full(t) ? ", disk full" : "");
                }
            }
            return "outside the runs";
        }

        /** After the disk was freed, and hostqld not restarted since: does it see again without a restart? */
        boolean afterFreedInSameRun(long t) {
            int run = run(t);
            for (long[] f : full) if (f[1] < t && run(f[1]) == run && run >= 0) return true;
            return false;
        }

        boolean full(long t) {
            for (long[] f : full) if (t >= f[0] && t <= f[1]) return true;
            return false;
        }
    }

    /** One source's tally: operations expected (made while hostqld ran), found in the journal, per disk state. */
    private static final class Tally {
        long notExpected, expected, found, duplicates, expectedWhileFull, foundWhileFull, expectedAfterFull, foundAfterFull;
        /** When the first missing operations started (epoch ns), to say where in hostqld's life they fell. */
        final List<Long> missingAt = new ArrayList<>();

        void add(long t, Timeline tl, long inJournal, long perOp) {
            add(t, t, tl, inJournal, perOp);
        }

        /** An operation from t to its last event at until (a file's deletion). */
        void add(long t, long until, Timeline tl, long inJournal, long perOp) {
            if (tl.run(t) < 0) {
                notExpected++;
                return;
            }
            expected += perOp;
            found += Math.min(perOp, inJournal);
            if (inJournal < perOp && missingAt.size() < 3) missingAt.add(t);
            duplicates += Math.max(0, inJournal - perOp);
            if (tl.full(t) || tl.full(until)) {
                expectedWhileFull += perOp;
                foundWhileFull += Math.min(perOp, inJournal);
            } else if (tl.afterFreedInSameRun(t)) {
                expectedAfterFull += perOp;
                foundAfterFull += Math.min(perOp, inJournal);
            }
        }

        long missing() {
            return expected - found;
        }
    }

    private static String report(Options o, Path root, Path tree, List<Mark> marks, List<Sample> samples, int kills, FileStormThread files,
            HotplugThread hotplug, Ops ops, SoakCheck.JournalScan scan, List<SoakCheck.TableResult> tables, long rowsAtEnd, boolean upAtEnd,
            Daemon daemon) throws IOException {
        marks = new ArrayList<>(marks);
        marks.sort(java.util.Comparator.comparingLong(Mark::at)); // the filler thread adds its own
        Timeline tl = new Timeline(marks);

        // Files: journal records per storm path.
        Map<String, Integer> perPath = new HashMap<>();
        String prefix = tree.toString() + "/";
        for (JournalEntry e : scan.files) {
            String p = ((FileEvent) e.event()).pathText();
            if (p.startsWith(prefix) && p.contains("/f")) perPath.merge(p, 1, Integer::sum);
        }
        Tally fileTally = new Tally();
        for (int i = 0; i < ops.files().size(); i++) {
            // Expected when hostqld ran from the file's creation to its deletion (both in one run).
            long created = ops.files().get(i), gone = i < files.deleted.size() ? files.deleted.get(i) : Long.MAX_VALUE;
            fileTally.add(tl.run(created) == tl.run(gone) ? created : -1, gone, tl, perPath.getOrDefault(FileStormThread.path(tree, i).toString(), 0), EVENTS_PER_FILE);
        }
        // Execs: by the child's pid, the generator its parent.
        Map<Long, Integer> execPids = new HashMap<>();
        for (JournalEntry e : scan.processes) {
            ProcessEvent p = (ProcessEvent) e.event();
            if (p.ppid() == ops.execGenerator()) execPids.merge((long) p.pid(), 1, Integer::sum);
        }
        Tally execTally = new Tally();
        for (long[] x : ops.execs()) execTally.add(x[0], tl, execPids.getOrDefault(x[1], 0), 1);
        // Connects: call i by its port (20000 + i % 40000) and the nearest call of that port in time.
        Map<Integer, List<Integer>> byPort = new HashMap<>();
        for (int i = 0; i < ops.connects().size(); i++) byPort.computeIfAbsent(20000 + i % 40000, k -> new ArrayList<>()).add(i);
        int[] connectSeen = new int[ops.connects().size()];
        for (JournalEntry e : scan.sockets) {
            SocketEvent s = (SocketEvent) e.event();
            if (s.pid() != ops.connectGenerator() || !s.syscall().equals("connect") || s.sockaddr() == null || s.sockaddr().length < 4) continue;
            int port = (s.sockaddr()[2] & 0xff) << 8 | (s.sockaddr()[3] & 0xff);
            List<Integer> calls = byPort.get(port);
            if (calls == null) continue;
            int best = -1;
            long bestDistance = Long.MAX_VALUE;
            for (int i : calls) {
                long d = Math.abs(ops.connects().get(i)[0] / 1_000_000L - s.kernelMillis());
                if (d < bestDistance) {
                    bestDistance = d;
                    best = i;
                }
            }
            connectSeen[best]++;
        }
        Tally connectTally = new Tally();
        for (int i = 0; i < ops.connects().size(); i++) connectTally.add(ops.connects().get(i)[0], tl, connectSeen[i], 1);
        // Uevents: SEQNUM gaps within one hostqld run.
        long ueventGaps = 0, ueventRecords = 0;
        for (List<HardwareEvent> run : scan.ueventsByRun) {
            long prev = -1;
            for (HardwareEvent h : run) {
                long s = h.seqnum();
                if (s < 0) continue;
                ueventRecords++;
                if (prev >= 0 && s > prev + 1) ueventGaps += s - prev - 1;
                prev = Math.max(prev, s);
            }
        }
        Map<String, long[]> losses = new TreeMap<>(); // source: records, exact sum, records with unknown count
        for (LossEvent l : scan.losses) {
            long[] v = losses.computeIfAbsent(l.source(), k -> new long[3]);
            v[0]++;
            if (l.count() >= 0 && !l.estimate()) v[1] += l.count();
            else v[2]++;
        }
        // A blind period of the journal (a full or faulty disk) is one record with source "journal" whose reason ends
        // with the exact count per event type: "(file N, process N, socket N, hardware N)". Those counts belong to the
        // sources that make those types.
        Map<String, Long> journalDrops = new TreeMap<>();
        for (LossEvent l : scan.losses) {
            if (l.source().equals("journal")) journalDropsByType(l.reason()).forEach((t, n) -> journalDrops.merge(t, n, Long::sum));
        }

        StringBuilder md = new StringBuilder(HEADING + "\n\n");
        md.append("`").append(String.join(" ", List.of("bench/run", "soak"))).append(o.given.isEmpty() ? "" : " " + String.join(" ", o.given))
                .append("` (fills at ").append(String.join(", ", o.fillAt.stream().map(a -> a + " s").toList())).append(" for ").append(o.fillSeconds)
                .append(" s): for ").append(o.minutes).append(" minutes, a file storm (").append(Measure.f(o.fileRate, 0))
                .append(" files/s created, written and closed, and deleted a second later, in a tree watched with `%%`), an exec storm (C fork + execve of `/bin/true`, ")
                .append(Measure.f(o.execRate, 0)).append("/s), a connect storm (C, UDP `connect()` to 127.0.0.1, ").append(Measure.f(o.connectRate, 0))
                .append("/s, `audit_allow_sockets`) and a hotplug storm (`losetup -f --show` and `losetup -d`, ").append(Measure.f(o.hotplugRate, 1))
                .append(" cycles/s) ran against hostqld (").append(o.audit ? "owner-mode audit" : "**audit off: no exec and connect storms**")
                .append(", kernel uevents, no row retention). hostqld was killed with SIGKILL every ")
                .append(o.killSeconds).append(" s and restarted at once; its data dir, a ").append(o.tmpfsMiB)
                .append(" MiB tmpfs, was filled to the last byte by a filler file at the given seconds (later if hostqld was still starting) and freed ").append(o.fillSeconds)
                .append(" s later. Then the storms stopped, hostqld drained and was stopped, and the journal was read with hostql's own reader.\n")
                .append("An operation is expected in the journal when it started while hostqld ran (from its pidfile + 2 s to 1 s before a kill);\n")
                .append("operations while it was down are not (nothing watched them).\n\n");

        md.append("| what happened | |\n|---|---|\n");
        double[] startup = daemon.startSeconds.stream().mapToDouble(Double::doubleValue).toArray();
        md.append("| hostqld starts | ").append(daemon.starts).append(" (").append(kills).append(" kill -9, ").append(daemon.unexpectedExits)
                .append(" exits by itself, ").append(daemon.failedStarts).append(" failed starts); launch to pidfile median ")
                .append(Measure.f(Measure.median(startup), 1)).append(" s, max ").append(Measure.f(Measure.percentile(startup, 100), 1)).append(" s |\n");
        Map<String, Integer> shown = new HashMap<>();
        for (Mark m : marks) {
            if (List.of("full", "freed", "start failed", "slow start", "exited", "not running at the end").contains(m.kind())
                    || m.kind().equals("fill") && m.detail().contains("failed")) {
                // A crash loop would fill the table: the first few of each kind, then how many more.
                int n = shown.merge(m.kind(), 1, Integer::sum);
                if (n <= 4) md.append("| ").append(m.kind()).append(" at ").append(Measure.f((m.at() - marks.get(0).at()) / 1e9, 0)).append(" s | ")
                        .append(m.detail().replace("|", "/")).append(" |\n");
            }
        }
        shown.forEach((k, n) -> {
            if (n > 4) md.append("| ").append(k).append(" | ").append(n - 4).append(" more |\n");
        });
        md.append("| storms | ").append(ops.files().size()).append(" files, ").append(ops.execs().size()).append(" execs, ")
                .append(ops.connects().size()).append(" connects, ").append(hotplug.cycles).append(" loop cycles")
                .append(files.failure != null ? "; the file storm stopped: " + files.failure : "")
                .append(hotplug.failures > 0 ? "; " + hotplug.failures + " loop cycles failed (" + hotplug.lastFailure + ")" : "").append(" |\n");
        md.append("| journal | ").append(scan.records).append(" records ").append(scan.recordsByType).append(" |\n");
        md.append("| rows when the storms ended and hostqld had drained | ").append(upAtEnd ? Long.toString(rowsAtEnd) : "**hostqld was not running**").append(" |\n");
        if (scan.readError != null) md.append("| reading the journal | **failed after ").append(scan.records).append(" records: ").append(scan.readError).append("** |\n");
        md.append('\n');

        md.append("Every journal record in its table exactly once:\n\n| table | rows the journal's records make | rows | missing | duplicated | rows without a record | |\n|---|---|---|---|---|---|---|\n");
        boolean exact = true;
        for (SoakCheck.TableResult t : tables) {
            exact &= t.exact();
            md.append("| ").append(t.table()).append(" | ").append(t.expectedRows()).append(" | ").append(t.rows()).append(" | ").append(t.missing())
                    .append(" | ").append(t.duplicated()).append(" | ").append(t.withoutRecord()).append(" | ").append(t.exact() ? "exact" : "**not exact**").append(" |\n");
        }
        md.append('\n');
        for (SoakCheck.TableResult t : tables) for (String ex : t.examples()) md.append("- ").append(t.table()).append(": ").append(ex).append('\n');

        md.append("\nEvery gap a loss record with an exact count (operations that started while hostqld ran):\n\n")
                .append("| source | expected events | in the journal | missing | missing while the disk was full | missing after it was freed (same run) | duplicated in the journal | not expected (hostqld down) |\n|---|---|---|---|---|---|---|---|\n");
        StringBuilder extra = new StringBuilder();
        tallyRow(md, "file storm (inotify; 4 events per file)", fileTally);
        tallyRow(md, "exec storm (audit)", execTally);
        tallyRow(md, "connect storm (audit)", connectTally);
        for (Object[] src : new Object[][] {{"file storm", fileTally}, {"exec storm", execTally}, {"connect storm", connectTally}}) {
            for (long t : ((Tally) src[1]).missingAt) extra.append("- ").append(src[0]).append(": an operation missing from the journal started ")
                    .append(tl.describe(t)).append('\n');
        }
        md.append("| hotplug (uevent SEQNUM within each run) | ").append(ueventRecords + ueventGaps).append(" | ").append(ueventRecords).append(" | ")
                .append(ueventGaps).append(" | | | | |\n\n");
        md.append(extra).append(extra.length() > 0 ? "\n" : "");
        md.append("| loss source | loss records | sum of exact counts | records without a count |\n|---|---|---|---|\n");
        losses.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v[0]).append(" | ").append(v[1]).append(" | ").append(v[2]).append(" |\n"));
        if (losses.isEmpty()) md.append("| (none) | 0 | 0 | 0 |\n");
        md.append('\n');
        long inotifyLost = losses.getOrDefault("inotify", new long[3])[1] + journalDrops.getOrDefault("file", 0L),
                auditLost = losses.getOrDefault("audit", new long[3])[1] + journalDrops.getOrDefault("process", 0L)
                        + journalDrops.getOrDefault("socket", 0L) + journalDrops.getOrDefault("user", 0L),
                ueventLost = losses.getOrDefault("uevent", new long[3])[1] + journalDrops.getOrDefault("hardware", 0L);
        if (!journalDrops.isEmpty()) {
            md.append("The journal's loss records, by event type (counted below with the source that makes the type): ")
                    .append(String.join(", ", journalDrops.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList())).append(".\n\n");
        }
        long unknownCounts = losses.values().stream().mapToLong(v -> v[2]).sum();
        long fileUnaccounted = Math.max(0, fileTally.missing() - inotifyLost);
        long auditUnaccounted = Math.max(0, execTally.missing() + connectTally.missing() - auditLost);
        long ueventUnaccounted = Math.max(0, ueventGaps - ueventLost);
        md.append("- file storm: ").append(fileTally.missing()).append(" events missing, inotify loss records and the journal's file drops count ").append(inotifyLost)
                .append(fileTally.missing() == inotifyLost ? " (equal: exact)" : " (**not equal**)").append(";\n");
        md.append("- exec and connect storms: ").append(execTally.missing() + connectTally.missing()).append(" missing, audit loss records and the journal's process, socket and user drops count ")
                .append(auditLost).append(" (they also count other processes' events, so only missing ≤ counted can be checked: ")
                .append(auditUnaccounted == 0 ? "met" : "**" + auditUnaccounted + " unaccounted**").append(");\n");
        md.append("- hotplug: ").append(ueventGaps).append(" uevents missing within runs, uevent loss records and the journal's hardware drops count ").append(ueventLost)
                .append(ueventUnaccounted == 0 ? " (met)" : " (**" + ueventUnaccounted + " unaccounted**)").append(";\n");
        md.append("- loss records without an exact count: ").append(unknownCounts).append(unknownCounts == 0 ? ".\n\n" : " (**not exact**).\n\n");
        boolean gapsExact = fileTally.missing() == inotifyLost && auditUnaccounted == 0 && ueventUnaccounted == 0 && unknownCounts == 0;
        // Blind: after the disk was freed, hostqld (not restarted since) saw less than half of what it should.
        List<String> blindSources = new ArrayList<>();
        if (fileTally.expectedAfterFull > 0 && 2 * fileTally.foundAfterFull < fileTally.expectedAfterFull) blindSources.add("file");
        if (execTally.expectedAfterFull > 0 && 2 * execTally.foundAfterFull < execTally.expectedAfterFull) blindSources.add("exec");
        if (connectTally.expectedAfterFull > 0 && 2 * connectTally.foundAfterFull < connectTally.expectedAfterFull) blindSources.add("connect");
        boolean blind = !blindSources.isEmpty();
        if (blind) md.append("**hostqld went blind** (").append(String.join(", ", blindSources))
                .append(" events): after the disk was freed, until its next restart, it journaled less than half of what the storms did.\n\n");
        for (String f : scan.foundAtOpen) md.append("- reading the journal hostqld left found damage: ").append(f).append('\n');
        if (!scan.foundAtOpen.isEmpty()) md.append('\n');

        md.append(flatness(samples, o));
        md.append(statusLogFindings(root));
        md.append("| verdict | |\n|---|---|\n| every journal record in its table exactly once | ").append(exact ? "met" : "**missed**")
                .append(" |\n| every gap a loss record with an exact count | ").append(gapsExact ? "met" : "**missed**")
                .append(" |\n| hostqld never went blind | ").append(blind ? "**missed**" : "met")
                .append(" |\n| hostqld running at the end (it restarted after every kill and fault) | ").append(upAtEnd ? "met" : "**missed**")
                .append(" |\n| RSS and descriptors flat | ")
                .append(flat(samples, o) ? "met" : "**missed**").append(" |\n\n");
        md.append("The soak's files (hostqld.out, logs/, report.md, the storms' logs, and data-at-end/ when something was missed) are in `")
                .append(root).append("`.\n\n");
        return md.toString();
    }

    private static void tallyRow(StringBuilder md, String name, Tally t) {
        md.append("| ").append(name).append(" | ").append(t.expected).append(" | ").append(t.found).append(" | ").append(t.missing()).append(" | ")
                .append(t.expectedWhileFull - t.foundWhileFull).append(" of ").append(t.expectedWhileFull).append(" | ")
                .append(t.expectedAfterFull - t.foundAfterFull).append(" of ").append(t.expectedAfterFull).append(" | ").append(t.duplicates)
                .append(" | ").append(t.notExpected).append(" ops |\n");
    }

    /** First and last window: 5 minutes, or a third of a shorter run. */
    private static long windowNanos(Options o) {
        return TimeUnit.SECONDS.toNanos(Math.min(300, o.minutes * 60L / 3));
    }

    private static double[][] windows(List<Sample> samples, Options o, java.util.function.ToLongFunction<Sample> f) {
        if (samples.isEmpty()) return new double[][] {{}, {}, {}};
        long w = windowNanos(o), first = samples.get(0).at(), last = samples.get(samples.size() - 1).at();
        double[] a = samples.stream().filter(s -> s.at() - first <= w).mapToDouble(f::applyAsLong).toArray();
        double[] b = samples.stream().filter(s -> last - s.at() <= w).mapToDouble(f::applyAsLong).toArray();
        double[] all = samples.stream().mapToDouble(f::applyAsLong).toArray();
        return new double[][] {a, b, all};
    }

    /** Flat: the last window's median RSS within 25% of the first's, and its median descriptor count within 10% + 10. */
    private static boolean flat(List<Sample> samples, Options o) {
        double[][] r = windows(samples, o, Sample::rssKiB), f = windows(samples, o, Sample::fds);
        if (r[0].length == 0) return false;
        return Measure.median(r[1]) <= 1.25 * Measure.median(r[0]) && Measure.median(f[1]) <= 1.10 * Measure.median(f[0]) + 10;
    }

    private static String flatness(List<Sample> samples, Options o) {
        double[][] r = windows(samples, o, Sample::rssKiB), f = windows(samples, o, Sample::fds), l = windows(samples, o, Sample::load);
        long minutes = windowNanos(o) / 60_000_000_000L;
        String span = minutes >= 1 ? minutes + " min" : windowNanos(o) / 1_000_000_000L + " s";
        return "hostqld's RSS (`VmRSS`) and open descriptors (`/proc/<pid>/fd`), sampled every " + o.sampleSeconds + " s (" + samples.size()
                + " samples, across its restarts):\n\n| | median, first " + span + " | median, last " + span + " | max |\n|---|---|---|---|\n"
                + "| RSS | " + Measure.f(Measure.median(r[0]) / 1024, 0) + " MiB | " + Measure.f(Measure.median(r[1]) / 1024, 0) + " MiB | "
                + Measure.f(Measure.percentile(r[2], 100) / 1024, 0) + " MiB |\n| descriptors | " + Measure.f(Measure.median(f[0]), 0) + " | "
                + Measure.f(Measure.median(f[1]), 0) + " | " + Measure.f(Measure.percentile(f[2], 100), 0) + " |\n"
                + "| machine load (1-min average; 2 CPUs shared with other work) | " + Measure.f(Measure.median(l[0]) / 100, 1) + " | "
                + Measure.f(Measure.median(l[1]) / 100, 1) + " | " + Measure.f(Measure.percentile(l[2], 100) / 100, 1) + " |\n\n";
    }

    /** What hostqld said about itself that the soak is about: dead threads, storage errors, JVM crash files. */
    private static String statusLogFindings(Path root) throws IOException {
        String[] needles = {"publisher thread failed", "subscriber", "InternalError", "OutOfMemoryError", "No space left", "cannot write", "SIGBUS", "exited"};
        Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        Map<String, String> first = new HashMap<>();
        List<Path> logs = new ArrayList<>();
        logs.add(root.resolve("hostqld.out"));
        if (Files.isDirectory(root.resolve("logs"))) {
            try (var s = Files.list(root.resolve("logs"))) {
                s.filter(p -> p.getFileName().toString().startsWith("hostqld.status.log")).forEach(logs::add);
            }
        }
        for (Path p : logs) {
            if (!Files.isRegularFile(p)) continue;
            try (var lines = Files.lines(p, StandardCharsets.ISO_8859_1)) {
                for (String l : (Iterable<String>) lines::iterator) {
                    if (!(l.contains("ERROR") || l.contains("WARN") || l.contains("Exception") || l.contains("Error"))) continue;
                    for (String n : needles) {
                        if (l.contains(n)) {
                            counts.merge(n, 1, Integer::sum);
                            first.putIfAbsent(n, l.length() > 300 ? l.substring(0, 300) + "…" : l);
                        }
                    }
                }
            }
        }
        long hsErr;
        try (var s = Files.walk(root, 3)) {
            hsErr = s.filter(p -> p.getFileName().toString().startsWith("hs_err")).count();
        }
        StringBuilder md = new StringBuilder("What hostqld's output and status log say (WARN/ERROR lines, by phrase; the first of each):\n\n| phrase | lines | first |\n|---|---|---|\n");
        counts.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" | `").append(first.get(k).replace("|", "/").replace("`", "'")).append("` |\n"));
        if (counts.isEmpty()) md.append("| (none) | 0 | |\n");
        md.append("\nJVM crash files (`hs_err*`) under the soak's directory: ").append(hsErr).append(".\n\n");
        return md.toString();
    }

    // ---- small helpers -------------------------------------------------------------------------

    /** Compiles the storms' C generator (soakgen.c) with the system's cc: the soak's and the syscall storm's. */
    static Path compileGenerator(Path root) throws Exception {
        Path src = root.resolve("soakgen.c"), bin = root.resolve("soakgen");
        try (var in = Soak.class.getResourceAsStream("soakgen.c")) {
            Files.write(src, in.readAllBytes());
        }
        check("cc", "-O2", "-o", bin.toString(), src.toString());
        return bin;
    }

    private static void waitFor(Process p, String what) throws Exception {
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(what + " failed (" + (p.isAlive() ? "still running" : "status " + p.exitValue()) + ")");
    }

    /** A generator's log: one line per operation, space-separated numbers. */
    private static List<long[]> readLongs(Path log) throws IOException {
        List<long[]> out = new ArrayList<>();
        try (var lines = Files.lines(log)) {
            for (String l : (Iterable<String>) lines::iterator) {
                String[] f = l.strip().split(" ");
                long[] v = new long[f.length];
                for (int i = 0; i < f.length; i++) v[i] = Long.parseLong(f[i]);
                out.add(v);
            }
        }
        return out;
    }

    static void check(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }

    /** A growable list of longs, written by one thread and read after it ended. */
    static final class LongList {
        private long[] values = new long[1024];
        private int size;

        void add(long v) {
            if (size == values.length) values = java.util.Arrays.copyOf(values, size * 2);
            values[size++] = v;
        }

        long get(int i) {
            return values[i];
        }

        int size() {
            return size;
        }
    }

    /** The per-type counts at the end of a journal loss record's reason, "(file 3, process 2)"; empty when it has none. */
    static Map<String, Long> journalDropsByType(String reason) {
        Map<String, Long> out = new TreeMap<>();
        int open = reason.lastIndexOf('('), close = reason.lastIndexOf(')');
        if (open < 0 || close != reason.length() - 1) return out;
        for (String part : reason.substring(open + 1, close).split(", ")) {
            String[] kv = part.trim().split(" ");
            if (kv.length != 2 || !kv[1].matches("\\d+")) return new TreeMap<>();
            out.put(kv[0], Long.parseLong(kv[1]));
        }
        return out;
    }
}
