package io.hostql.publishers;

import io.hostql.os.Libc;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.hostql.events.EventSink;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;

/**
 * A publisher read on a thread of its own: the lifecycle every kernel source shares, written once. The
 * thread polls the source's descriptor and a {@link Wakeup}, so close() and a test's pause take effect
 * at once; work for the thread (a reconfiguration, a test's question) is handed to it with
 * {@link #onThread} and runs between reads, so the publisher's state has one owner.
 *
 * <p>A subclass opens its source (before start, so nothing is missed from then on), calls
 * {@link #openWakeup()}, and implements what the thread does: {@link #starting()} once, then
 * {@link #polled(boolean)} after every poll. A reader thread that dies while not closing is a blind
 * agent: the error goes on to the uncaught-exception handler, which ends hostqld so that systemd restarts it.
 */
public abstract class ReaderThread implements Publisher {
    private static final int POLL_MILLIS = 1000;
    private static final long TASK_TIMEOUT_SECONDS = 120;

    private record Task(Callable<?> work, CompletableFuture<Object> done) {}

    protected final Logger log;
    /** Never throws: the reader loop goes on draining the kernel whatever the journal does. */
    protected final SafeSink safeSink;
    /** Repeating failures of the loop and of the sink, logged at most once per period. */
    protected final RateLimitedLog errors;
    private final String name;
    private final String threadName;
    private final long stackSize;
    private final long closeWaitMillis;
    /** Whether the thread closes the source as it ends (else {@link #closed()} does, after the join). */
    private final boolean closesOnThread;
    /** What is no longer captured when the thread dies, for the error line. */
    private final String captured;
    private final Memory pollFds = new Memory(16);
    private final ConcurrentLinkedQueue<Task> tasks = new ConcurrentLinkedQueue<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    protected final Object lock = new Object();
    private volatile Wakeup wakeup;
    private Thread thread; // guarded by lock
    private boolean closed; // guarded by lock
    private boolean fdsClosed; // guarded by lock
    protected volatile boolean closing;
    private volatile boolean pauseRequested;
    private volatile boolean paused;

    /** How the thread is made and stopped: name, stack size (0: the default), how long close waits, and who closes the source. */
    public record Options(String name, String threadName, long stackSize, long closeWaitMillis, boolean closesOnThread,
            String captured, long errorPeriodSeconds) {}

    protected ReaderThread(Options o, Logger log, EventSink sink) {
        this.name = o.name;
        this.threadName = o.threadName;
        this.stackSize = o.stackSize;
        this.closeWaitMillis = o.closeWaitMillis;
        this.closesOnThread = o.closesOnThread;
        this.captured = o.captured;
        this.log = log;
        this.errors = new RateLimitedLog(log, o.errorPeriodSeconds);
        this.safeSink = new SafeSink(java.util.Objects.requireNonNull(sink, "sink"), o.name, errors);
    }

    // ---------------------------------------------------------------------------------------------
    // What a subclass implements

    /** The descriptor polled for POLLIN. */
    protected abstract int sourceFd();

    /** On the thread, before the loop; start() returns when it is done. */
    protected void starting() {}

    /** How long a poll waits when nothing comes. */
    protected int pollTimeoutMillis() {
        return POLL_MILLIS;
    }

    /** Right after a poll that found the source empty. */
    protected void sourceQuiet() {}

    /** After every poll (unless closing or paused): read the source if readable, and run the timers. */
    protected abstract void polled(boolean readable);

    /** On the thread, after the loop ends because of close(). */
    protected void stopping() {}

    /** Closes the source's descriptors: once, on the thread as it ends (or by close() when it never started). */
    protected void closeSource() {}

    /** After close() has stopped the thread (or waited for it in vain). */
    protected void closed() {}

    protected void pollFailed(int errno) {
        errors.error(name + ": poll failed: " + Libc.errorText(errno));
    }

    // ---------------------------------------------------------------------------------------------
    // The lifecycle

    @Override
    public final String name() {
        return name;
    }

    @Override
    public Status status() {
        return new Status(name, isRunning() && !closing, safeSink.events(), safeSink.losses());
    }

    /** The eventfd that wakes the thread; made by the subclass once its source is open. */
    protected final void openWakeup() {
        wakeup = new Wakeup();
    }

    protected final void closeWakeup() {
        Wakeup w = wakeup;
        if (w != null) w.close();
    }

    /** Starts the thread; returns once {@link #starting()} has run on it. */
    protected final void startThread() {
        synchronized (lock) {
            if (closed) throw new IllegalStateException(name + " publisher is closed");
            if (thread != null) throw new IllegalStateException(name + " publisher already started");
            thread = new Thread(null, this::run, threadName, stackSize);
            thread.setDaemon(true);
            thread.start();
        }
        boolean interrupted = false;
        while (true) {
            try {
                ready.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Throws when start() must not run: closed, or started already. */
    protected final void checkStartable() {
        synchronized (lock) {
            if (closed) throw new IllegalStateException(name + " publisher is closed");
            if (thread != null) throw new IllegalStateException(name + " publisher already started");
        }
    }

    /** Stops the thread (within closeWaitMillis) and releases the source. Idempotent. */
    @Override
    public void close() {
        Thread t;
        synchronized (lock) {
            if (closed) return;
            closed = true;
            closing = true;
            t = thread;
        }
        pauseRequested = false;
        if (t == null) {
            closeFds();
            closed();
            return;
        }
        wake();
        synchronized (lock) {
            lock.notifyAll();
        }
        try {
            t.join(closeWaitMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            log.warn("{} publisher thread did not stop within {} ms{}", name, closeWaitMillis,
                    closesOnThread ? "; it closes its descriptors when it does" : "");
        }
        closed();
    }

    protected final boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    protected final boolean isRunning() {
        synchronized (lock) {
            return thread != null && thread.isAlive();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Test hooks: pause and resume

    /** Stops reading the source (the kernel's queue fills up) until {@link #resumeReading()}. For tests. */
    public void pauseReading() {
        pauseRequested = true;
        wake();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!paused && System.nanoTime() < deadline && isRunning()) sleepQuietly(1);
        if (!paused) throw new IllegalStateException("publisher thread did not pause");
    }

    public void resumeReading() {
        pauseRequested = false;
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Work handed to the thread

    /** Runs work on the thread between reads and waits for it (or its failure). */
    @SuppressWarnings("unchecked")
    protected final <T> T onThread(Callable<T> work) {
        Task t = new Task(work, new CompletableFuture<>());
        tasks.add(t);
        wake();
        try {
            return (T) t.done.get(TASK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the " + name + " publisher", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(name + " publisher: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(name + " publisher did not answer within " + TASK_TIMEOUT_SECONDS + " s", e);
        }
    }

    /** On the thread when it runs (and this is not it), else here: the state's owner is whoever runs the loop. */
    protected final <T> T onThreadOrHere(Callable<T> work) {
        if (isRunning() && Thread.currentThread() != threadOrNull()) return onThread(work);
        try {
            return work.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Thread threadOrNull() {
        synchronized (lock) {
            return thread;
        }
    }

    private void runTasks() {
        Task t;
        while ((t = tasks.poll()) != null) {
            try {
                t.done.complete(t.work.call());
            } catch (Throwable e) {
                t.done.completeExceptionally(e);
            }
        }
    }

    protected final void wake() {
        Wakeup w = wakeup;
        if (w != null) w.signal();
    }

    // ---------------------------------------------------------------------------------------------
    // The thread

    private void run() {
        try {
            try {
                starting();
            } finally {
                ready.countDown();
            }
            pollFds.setInt(0, sourceFd());
            pollFds.setShort(4, Libc.POLLIN);
            pollFds.setInt(8, wakeup.fd());
            pollFds.setShort(12, Libc.POLLIN);
            while (!closing) {
                runTasks();
                if (pauseRequested) {
                    waitWhilePaused();
                    continue;
                }
                pollFds.setShort(6, (short) 0);
                pollFds.setShort(14, (short) 0);
                int r = Libc.poll(pollFds, 2, pollTimeoutMillis());
                if (r < 0) {
                    int errno = Native.getLastError();
                    if (errno != Libc.EINTR) {
                        pollFailed(errno);
                        sleepQuietly(100);
                    }
                    continue;
                }
                boolean readable = pollFds.getShort(6) != 0;
                if (!readable) sourceQuiet();
                if (pollFds.getShort(14) != 0) wakeup.drain();
                if (closing) break;
                runTasks();
                if (pauseRequested) continue;
                polled(readable);
            }
            stopping();
        } catch (Throwable t) {
            if (closing) return; // failing while closing loses nothing: the publisher was stopping
            // A dead reader is a blind agent: the thread dies on, and hostqld's uncaught-exception handler ends the
            // process non-zero so that systemd restarts it (io.hostql.daemon.Fatal), instead of running on without its events.
            log.error("{}: publisher thread failed; {} are no longer captured", name, captured, t);
            throw t;
        } finally {
            paused = false;
            if (closesOnThread) closeFds();
            Task t;
            while ((t = tasks.poll()) != null) t.done.completeExceptionally(new IllegalStateException(name + " publisher closed"));
        }
    }

    private void waitWhilePaused() {
        synchronized (lock) {
            paused = true;
            while (pauseRequested && !closing) {
                runTasks(); // reconfigure and the test hooks still work; only reading stops
                try {
                    lock.wait(100);
                } catch (InterruptedException e) {
                    break;
                }
            }
            paused = false;
        }
    }

    private void closeFds() {
        synchronized (lock) {
            if (fdsClosed) return;
            fdsClosed = true;
            closeSource();
            if (closesOnThread) closeWakeup();
        }
    }

    protected static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
