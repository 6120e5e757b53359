package io.hostql.publishers;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * An eventfd that a publisher's poll loop watches next to its event source, so that close() (or a
 * test pausing the reader) wakes the thread at once instead of at its poll timeout. Signalling after
 * close is a no-op, never a write to a reused descriptor number.
 */
public final class Wakeup implements AutoCloseable {
    static {
        Native.register(Wakeup.class, Platform.C_LIBRARY_NAME);
    }

    private static final int EFD_NONBLOCK = 0x800, EFD_CLOEXEC = 0x80000;

    private static native int eventfd(int initval, int flags);

    private static native long read(int fd, Pointer buf, long count);

    private static native long write(int fd, Pointer buf, long count);

    private static native int close(int fd);

    private static native Pointer strerror(int errnum);

    /** {@code struct pollfd} is {int fd; short events; short revents}: 8 bytes each. For {@link ReaderThread}'s loop. */
    static native int poll(Pointer fds, long nfds, int timeoutMillis);

    static String errorText(int errno) {
        return strerror(errno).getString(0) + " (errno " + errno + ")";
    }

    private final int fd;
    private final Memory one = new Memory(8), drained = new Memory(8);
    private boolean closed; // guarded by this

    public Wakeup() {
        fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (fd < 0) {
            int errno = Native.getLastError();
            throw new IllegalStateException("eventfd failed: " + errorText(errno));
        }
        one.setLong(0, 1);
    }

    /** The descriptor to poll for POLLIN. */
    public int fd() {
        return fd;
    }

    public synchronized void signal() {
        if (!closed) write(fd, one, 8);
    }

    /** Resets it after poll reported it readable. */
    public synchronized void drain() {
        if (!closed) read(fd, drained, 8);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        close(fd);
    }
}
