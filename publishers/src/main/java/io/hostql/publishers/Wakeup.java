package io.hostql.publishers;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.hostql.os.Libc;

/**
 * An eventfd that a publisher's poll loop watches next to its event source, so that close() (or a
 * test pausing the reader) wakes the thread at once instead of at its poll timeout. Signalling after
 * close is a no-op, never a write to a reused descriptor number.
 */
public final class Wakeup implements AutoCloseable {
    private final int fd;
    private final Memory one = new Memory(8), drained = new Memory(8);
    private boolean closed; // guarded by this

    public Wakeup() {
        fd = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (fd < 0) {
            int errno = Native.getLastError();
            throw new IllegalStateException("eventfd failed: " + Libc.errorText(errno) + " (errno " + errno + ")");
        }
        one.setLong(0, 1);
    }

    /** The descriptor to poll for POLLIN. */
    public int fd() {
        return fd;
    }

    public synchronized void signal() {
        if (!closed) Libc.write(fd, one, 8);
    }

    /** Resets it after poll reported it readable. */
    public synchronized void drain() {
        if (!closed) Libc.read(fd, drained, 8);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        Libc.close(fd);
    }
}
