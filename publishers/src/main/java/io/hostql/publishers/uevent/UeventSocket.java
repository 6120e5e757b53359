package io.hostql.publishers.uevent;

import io.hostql.os.Libc;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.hostql.publishers.RateLimitedLog;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NETLINK_KOBJECT_UEVENT socket and the decoding of what it delivers: one datagram at a time, with
 * the sender checked as libudev does (the kernel on the kernel's group, root processes on udev's) and
 * the message decoded into a {@link UeventMessage}; anything else is counted as rejected and logged.
 */
final class UeventSocket implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UeventPublisher.class);
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int CONTROL_SIZE = 64;

    enum Read { MESSAGE, EMPTY, OVERFLOW }

    final int fd;
    /** hardware_events_receive_buffer, as asked. */
    final int receiveBufferAsked;
    /** SO_RCVBUF as the kernel reports it: twice what it granted (the other half is for its bookkeeping). */
    final int receiveBuffer;
    private final RateLimitedLog errors;
    private final Memory buffer = new Memory(BUFFER_SIZE);
    private final Memory name = new Memory(Libc.SOCKADDR_NL_SIZE);
    private final Memory control = new Memory(CONTROL_SIZE);
    private final Memory iov = new Memory(16);
    private final Memory msghdr = new Memory(Libc.MSGHDR_SIZE);
    private volatile int group;
    final AtomicLong received = new AtomicLong(), rejected = new AtomicLong();

    /**
     * Opens and binds the socket to group (so nothing is missed from here on) with a receive buffer of
     * receiveBufferBytes. Throws IllegalStateException naming the failing call when the kernel refuses.
     */
    UeventSocket(int group, int receiveBufferBytes, RateLimitedLog errors) {
        this.group = group;
        this.errors = errors;
        int s = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC,
                Libc.NETLINK_KOBJECT_UEVENT);
        if (s < 0) throw new IllegalStateException("socket(AF_NETLINK, NETLINK_KOBJECT_UEVENT) failed: " + Libc.errorText(Native.getLastError()));
        try {
            receiveBufferAsked = receiveBufferBytes;
            receiveBuffer = setReceiveBuffer(s, receiveBufferBytes);
            check(Libc.setsockopt(s, Libc.SOL_SOCKET, Libc.SO_PASSCRED, new int[] {1}, 4), "setsockopt(SO_PASSCRED)");
            Memory addr = new Memory(Libc.SOCKADDR_NL_SIZE);
            addr.clear();
            addr.setShort(0, (short) Libc.AF_NETLINK);
            addr.setInt(Libc.NL_GROUPS, group);
            check(Libc.bind(s, addr, Libc.SOCKADDR_NL_SIZE), "bind to uevent group " + group);
        } catch (RuntimeException e) {
            Libc.close(s);
            throw e;
        }
        fd = s;
        iov.setPointer(0, buffer);
        iov.setLong(8, BUFFER_SIZE);
    }

    static void check(int r, String what) {
        if (r < 0) throw new IllegalStateException(what + " failed: " + Libc.errorText(Native.getLastError()));
    }

    /**
     * SO_RCVBUFFORCE (root, CAP_NET_ADMIN) sets the size asked for; otherwise SO_RCVBUF, which the kernel
     * caps at net.core.rmem_max. Returns what the kernel reports: twice what it granted, the other half
     * being for its bookkeeping.
     */
    private static int setReceiveBuffer(int s, int bytes) {
        int[] v = {bytes};
        if (Libc.setsockopt(s, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, v, 4) < 0) {
            int errno = Native.getLastError();
            check(Libc.setsockopt(s, Libc.SOL_SOCKET, Libc.SO_RCVBUF, v, 4), "setsockopt(SO_RCVBUF)");
            int[] got = {0};
            Libc.getsockopt(s, Libc.SOL_SOCKET, Libc.SO_RCVBUF, got, new int[] {4});
            if (got[0] / 2 < bytes) {
                log.warn("uevent: receive buffer {}: less than asked, as SO_RCVBUFFORCE was refused ({}) and SO_RCVBUF is capped "
                        + "by net.core.rmem_max; run as root or raise net.core.rmem_max", describeReceiveBuffer(bytes, got[0]),
                        Libc.errorText(errno));
            }
            return got[0];
        }
        int[] got = {0};
        Libc.getsockopt(s, Libc.SOL_SOCKET, Libc.SO_RCVBUF, got, new int[] {4});
        return got[0];
    }

    /** For the status log: what was asked and what the kernel reports, in MiB, as the README states it. */
    static String describeReceiveBuffer(int asked, int reported) {
        return mib(asked) + " asked, " + mib(reported) + " reported by the kernel (which doubles SO_RCVBUF for its bookkeeping)";
    }

    static String mib(long bytes) {
        double m = bytes / (double) (1 << 20);
        if (bytes % (1 << 20) == 0) return (bytes >> 20) + " MiB";
        return (m >= 10 ? String.format(Locale.ROOT, "%.1f", m) : String.format(Locale.ROOT, "%.3g", m)) + " MiB";
    }

    /** The group read now. */
    int group() {
        return group;
    }

    static String groupName(int g) {
        return g == Libc.GROUP_UDEV ? "udev" : "kernel";
    }

    /** Reads one datagram: a valid uevent goes to handler; ENOBUFS is OVERFLOW, an empty socket EMPTY. */
    Read receive(Consumer<UeventMessage> handler) {
        name.clear();
        msghdr.setPointer(0, name);
        msghdr.setInt(8, Libc.SOCKADDR_NL_SIZE);
        msghdr.setPointer(16, iov);
        msghdr.setLong(24, 1);
        msghdr.setPointer(32, control);
        msghdr.setLong(40, CONTROL_SIZE);
        msghdr.setInt(48, 0);
        long n = Libc.recvmsg(fd, msghdr, Libc.MSG_DONTWAIT);
        if (n < 0) {
            int errno = Native.getLastError();
            switch (errno) {
                case Libc.EAGAIN:
                    return Read.EMPTY;
                case Libc.EINTR:
                    return Read.MESSAGE;
                case Libc.ENOBUFS:
                    return Read.OVERFLOW;
                default:
                    errors.warn("uevent: recvmsg failed: " + Libc.errorText(errno));
                    sleepQuietly();
                    return Read.EMPTY;
            }
        }
        received.incrementAndGet();
        if ((msghdr.getInt(48) & Libc.MSG_TRUNC) != 0) {
            reject("a uevent longer than " + BUFFER_SIZE + " bytes (truncated)");
            return Read.MESSAGE;
        }
        int senderPort = name.getInt(Libc.NL_PID), groups = name.getInt(Libc.NL_GROUPS);
        if (groups == Libc.GROUP_KERNEL) {
            if (senderPort != 0) {
                reject("a message on the kernel's uevent group sent by a process (netlink port " + Integer.toUnsignedString(senderPort) + "), not the kernel");
                return Read.MESSAGE;
            }
        } else if (groups == Libc.GROUP_UDEV) {
            int uid = senderUid();
            if (senderPort == 0 || uid != 0) {
                reject("a message on udev's uevent group from " + (senderPort == 0 ? "the kernel" : "uid " + Integer.toUnsignedString(uid))
                        + " (udev's messages come from systemd-udevd, as root)");
                return Read.MESSAGE;
            }
        } else {
            reject("a message sent to netlink groups 0x" + Integer.toHexString(groups) + " (not the kernel's or udev's uevent group)");
            return Read.MESSAGE;
        }
        UeventMessage m;
        try {
            m = UeventMessage.decode(buffer.getByteArray(0, (int) n), (int) n);
        } catch (UeventMessage.MalformedException e) {
            reject("a malformed uevent: " + e.getMessage());
            return Read.MESSAGE;
        }
        try {
            handler.accept(m);
        } catch (RuntimeException e) {
            errors.error("uevent: failed to handle " + m.action() + " " + m.devpath(), e);
        }
        return Read.MESSAGE;
    }

    /** The uid of an SCM_CREDENTIALS control message, or -1. */
    private int senderUid() {
        long len = msghdr.getLong(40);
        long off = 0;
        while (off + Libc.CMSG_DATA <= len) {
            long clen = control.getLong(off);
            if (clen < Libc.CMSG_DATA || off + clen > len) break;
            if (control.getInt(off + Libc.CMSG_LEVEL) == Libc.SOL_SOCKET
                    && control.getInt(off + Libc.CMSG_TYPE) == Libc.SCM_CREDENTIALS) {
                return control.getInt(off + Libc.CMSG_DATA + Libc.UCRED_UID);
            }
            off += (clen + 7) & ~7L;
        }
        return -1;
    }

    private void reject(String what) {
        rejected.incrementAndGet();
        errors.warn("uevent: ignored " + what);
    }

    /** Joins the new group before leaving the old one, so no event falls between them. */
    void switchGroup(int next) {
        int prev = group;
        if (prev == next) return;
        check(Libc.setsockopt(fd, Libc.SOL_NETLINK, Libc.NETLINK_ADD_MEMBERSHIP, new int[] {next}, 4),
                "joining uevent group " + next);
        group = next;
        if (Libc.setsockopt(fd, Libc.SOL_NETLINK, Libc.NETLINK_DROP_MEMBERSHIP, new int[] {prev}, 4) < 0) {
            log.warn("uevent: leaving group {} failed: {}", prev, Libc.errorText(Native.getLastError()));
        }
    }

    @Override
    public void close() {
        Libc.close(fd);
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
