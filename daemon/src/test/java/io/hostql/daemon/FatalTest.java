package io.hostql.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rule "a thread that dies ends the process non-zero", in a child JVM: never a healthy-looking zombie. */
class FatalTest {
    @TempDir
    Path tmp;

    /** The child: installs the rule, then lets a thread die (args[1] = "thread") or a periodic task throw ("task"). */
    public static void main(String[] args) throws Exception {
        Path pidfile = Path.of(args[0]);
        Files.writeString(pidfile, ProcessHandle.current().pid() + "\n");
        Fatal.install(() -> deleteQuietly(pidfile));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(pidfile))); // as the daemon's stop() does
        if (args[1].equals("thread")) {
            new Thread(() -> {
                throw new InternalError("a fault occurred in a recent unsafe memory access operation");
            }, "hostql-inotify").start();
        } else {
            ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor();
            AtomicInteger passes = new AtomicInteger();
            ex.scheduleWithFixedDelay(Fatal.task("retention pass", () -> {
                if (passes.incrementAndGet() == 1) throw new IllegalStateException("database or disk is full");
                throw new OutOfMemoryError("Java heap space");
            }), 0, 10, TimeUnit.MILLISECONDS);
        }
        Thread.sleep(30_000); // what a zombie would do: go on looking alive
        System.exit(0);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // the test sees it
        }
    }

    private String run(String what, Path pidfile) throws Exception {
        Process p = new ProcessBuilder(DaemonProcess.command(FatalTest.class.getName(), pidfile.toString(), what)).redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("the process ended").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isEqualTo(Fatal.THREAD_DIED);
        assertThat(pidfile).doesNotExist();
        return out;
    }

    @Test
    void aThreadThatDiesEndsTheProcessNonZeroWithOneLineNamingIt() throws Exception {
        String out = run("thread", tmp.resolve("a.pid"));
        assertThat(out).contains("hostqld: thread hostql-inotify died (java.lang.InternalError: a fault occurred", "exits so that it is restarted");
    }

    @Test
    void aPeriodicTaskSurvivesAnExceptionButAnErrorEndsTheProcess() throws Exception {
        String out = run("task", tmp.resolve("b.pid"));
        assertThat(out).contains("retention pass failed: java.lang.IllegalStateException: database or disk is full")
                .contains("hostqld: retention pass failed (java.lang.OutOfMemoryError: Java heap space)");
    }
}
