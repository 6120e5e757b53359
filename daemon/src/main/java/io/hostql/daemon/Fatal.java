package io.hostql.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rule for hostqld's threads: <b>a thread that dies ends the process with a non-zero exit</b>, so
 * that systemd (Restart=on-failure) starts a fresh one. hostqld never runs on with a dead publisher,
 * subscriber, scheduler or maintenance thread: that is an agent that looks healthy and sees nothing.
 *
 * <ul>
 *   <li>A thread's loop handles what it can (a bad event, a failed commit, a storage fault are counted,
 *       retried or skipped where they happen) and lets the rest escape; it does not log and return.
 *   <li>What escapes reaches the default uncaught-exception handler installed here ({@link #install}):
 *       one status line naming the thread and the cause, the pidfile removed, exit {@link #THREAD_DIED}.
 *   <li>Periodic tasks on an executor go through {@link #task}: an executor swallows what its task throws,
 *       so an Exception stays one failed pass (logged) and an Error ends the process the same way.
 * </ul>
 */
final class Fatal {
    private static final Logger log = LoggerFactory.getLogger(Fatal.class);
    /** EX_SOFTWARE: an internal failure; systemd restarts it. */
    static final int THREAD_DIED = 70;
    /** EX_IOERR: the data dir cannot be written safely (made immutable while running). */
    static final int STORAGE = 74;
    /** How long an orderly stop may take before the process is halted. */
    private static final long STOP_GRACE_MILLIS = 20_000;
    private static volatile Runnable removePidfile = () -> {};
    private static volatile boolean exiting;

    private Fatal() {}

    /** Makes every thread's death fatal; removePidfile runs before a halt, which skips the orderly stop. */
    static void install(Runnable pidfileRemover) {
        removePidfile = pidfileRemover;
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> exit("thread " + t.getName() + " died (" + e + "); hostqld exits so that it is restarted",
                THREAD_DIED));
    }

    /**
     * Ends the process with an orderly stop (the shutdown hook closes the journal and events.db), from a
     * thread of its own so that the caller (perhaps a thread the stop waits for) can finish; halts if the
     * stop hangs.
     */
    static void exit(String line, int code) {
        if (!announce(line)) return;
        Thread exit = new Thread(() -> System.exit(code), "hostql-exit");
        exit.start();
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(STOP_GRACE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            removePidfile.run();
            Runtime.getRuntime().halt(code);
        }, "hostql-exit-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /**
     * Ends the process at once, without the orderly stop: for a data dir that cannot be written safely,
     * where closing the journal or events.db could itself fault. What is committed is safe (the journal and
     * SQLite's WAL survive a kill); the pidfile is removed, so nothing stale is left.
     */
    static void halt(String line, int code) {
        if (!announce(line)) return;
        removePidfile.run();
        Runtime.getRuntime().halt(code);
    }

    private static synchronized boolean announce(String line) {
        if (exiting) return false;
        exiting = true;
        log.error(line);
        System.err.println("hostqld: " + line);
        System.err.flush();
        return true;
    }

    /** A periodic task that follows the rule: an Exception is one failed pass, an Error ends the process. */
    static Runnable task(String name, Runnable work) {
        return () -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                log.warn("{} failed: {}", name, e.toString());
            } catch (Throwable e) {
                exit(name + " failed (" + e + "); hostqld exits so that it is restarted", THREAD_DIED);
            }
        };
    }
}
