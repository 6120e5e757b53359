package io.hostql.daemon;

import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
import io.hostql.sql.table.TableRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A real hostqld in a child JVM (same classpath and flags as the tests), for end-to-end tests. */
final class DaemonProcess implements AutoCloseable {
    final Path data, logs, output;
    final Process process;

    private DaemonProcess(Path data, Path logs, Path output, Process process) {
        this.data = data;
        this.logs = logs;
        this.output = output;
        this.process = process;
    }

    static List<String> command(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String f : System.getProperty("hostql.jvm.flags", "").trim().split("\\s+")) if (!f.isEmpty()) cmd.add(f);
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts hostqld on the config and data dir and waits until it says it started. */
    static DaemonProcess start(Path config, Path data, String... extra) throws Exception {
        return start(List.of(), config, data, extra);
    }

    /** As {@link #start(Path, Path, String...)}, run through a prefix such as {@code sh -c 'umask 000; exec "$@"' sh}. */
    static DaemonProcess start(List<String> prefix, Path config, Path data, String... extra) throws Exception {
        Path logs = data.resolveSibling(data.getFileName() + "-logs");
        Path output = data.resolveSibling(data.getFileName() + "-" + System.nanoTime() + ".out");
        List<String> args = new ArrayList<>(List.of("--config_path", config.toString(), "--database_path", data.toString(),
                "--logger_path", logs.toString(), "--pidfile", data.resolveSibling(data.getFileName() + ".pid").toString(),
                "--events_retention_interval", "1"));
        args.addAll(List.of(extra));
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(command("io.hostql.daemon.Hostqld", args.toArray(new String[0])));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        DaemonProcess d = new DaemonProcess(data, logs, output, p);
        waitFor(() -> d.output().contains("hostqld started") || !p.isAlive(), 30, "hostqld to start");
        if (!p.isAlive()) throw new AssertionError("hostqld exited " + p.exitValue() + ":\n" + d.output());
        return d;
    }

    String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return "";
        }
    }

    long pid() {
        return process.pid();
    }

    void signal(String sig) throws Exception {
        new ProcessBuilder("kill", "-" + sig, Long.toString(pid())).start().waitFor();
    }

    int stop() throws Exception {
        process.destroy(); // SIGTERM
        if (!process.waitFor(20, TimeUnit.SECONDS)) throw new AssertionError("hostqld did not stop on SIGTERM");
        return process.exitValue();
    }

    void kill9() throws Exception {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Runs the checkout's {@code bin/hostqlctl} (status, …) on this daemon's data dir and pidfile; its output. */
    String hostqlctl(String... args) throws Exception {
        Path ctl = Path.of("").toAbsolutePath().resolveSibling("bin").resolve("hostqlctl");
        Path flags = Files.writeString(data.resolveSibling("ctl.flags"),
                "--database_path=" + data + "\n--pidfile=" + data.resolveSibling(data.getFileName() + ".pid") + "\n");
        List<String> cmd = new ArrayList<>(List.of(ctl.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("HOSTQL_FLAGFILE", flags.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    /** Reads the daemon's evented tables the way hostqli does: a read-only attach, while it runs. */
    static QueryResult query(Path data, String sql) {
        try (Database db = Database.open(new TableRegistry())) {
            db.attachReadOnly(data.resolve("events.db"), "events");
            return db.query(sql);
        }
    }

    static void waitFor(BooleanSupplier cond, int seconds, String what) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
        }
    }
}
