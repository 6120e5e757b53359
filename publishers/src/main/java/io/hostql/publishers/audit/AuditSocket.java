package io.hostql.publishers.audit;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.hostql.os.Libc;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A NETLINK_AUDIT socket: requests to the kernel (status, rules) with their replies, and raw receives
 * for the event stream. Netlink is host-endian. Not thread-safe: each socket has one owning thread.
 */
final class AuditSocket implements AutoCloseable {
    static final int NLMSG_ERROR = 2, NLMSG_DONE = 3;
    static final int AUDIT_GET = 1000, AUDIT_SET = 1001, AUDIT_ADD_RULE = 1011, AUDIT_DEL_RULE = 1012, AUDIT_LIST_RULES = 1013;
    static final int NLM_F_REQUEST = 0x1, NLM_F_MULTI = 0x2, NLM_F_ACK = 0x4;
    static final int HEADER = 16;
    /** The kernel's largest audit record is 8970 bytes; rule replies are about 1 KiB. */
    static final int BUFFER_SIZE = 64 * 1024;
    private static final int REPLY_TIMEOUT_MILLIS = 5000;

    /** A kernel refusal, with its errno. */
    static final class AuditException extends RuntimeException {
        final int errno;

        AuditException(String what, int errno) {
            super(what + ": " + Libc.errorText(errno) + (errno == Libc.EPERM || errno == Libc.EACCES
                    ? " (kernel audit needs root: CAP_AUDIT_CONTROL, and CAP_AUDIT_READ to coexist)" : ""));
            this.errno = errno;
        }
    }

    final int fd;
    private final Memory buffer = new Memory(BUFFER_SIZE);
    private final ByteBuffer view = buffer.getByteBuffer(0, BUFFER_SIZE).order(ByteOrder.nativeOrder());
    private final Memory pollFd = new Memory(8);
    /** Batch receive: SLOTS datagrams per recvmmsg, each into its own SLOT-byte buffer. */
    static final int SLOTS = 64, SLOT = 9216;
    private static final int MMSGHDR = 64, MSGHDR_IOV = 16, MSGHDR_IOVLEN = 24, MSG_LEN = 56, IOVEC = 16;
    private Memory slots, headers, iovecs;
    /**
     * Direct views of the slots and their headers: reads through them are the JIT's own (a bulk copy, a load), where
     * JNA's Pointer.getShort/getInt/read each were a native call and slot(i) a new Pointer (issue 15).
     */
    private ByteBuffer slotsView, headersView;
    private int seq = (int) (System.nanoTime() & 0xffffff);
    private boolean closed;

    private AuditSocket(int fd) {
        this.fd = fd;
    }

    /** A socket bound to the given multicast groups (0: none; 1: AUDIT_NLGRP_READLOG). */
    static AuditSocket open(int groups) {
        int fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Libc.NETLINK_AUDIT);
        if (fd < 0) {
            int errno = Native.getLastError();
            throw new AuditException(errno == Libc.EPROTONOSUPPORT
                    ? "this kernel has no audit support (CONFIG_AUDIT): socket(NETLINK_AUDIT)" : "socket(NETLINK_AUDIT)", errno);
        }
        byte[] addr = Libc.sockaddrNl(groups);
        if (Libc.bind(fd, addr, addr.length) < 0) {
            int errno = Native.getLastError();
            Libc.close(fd);
            throw new AuditException(groups != 0
                    ? "joining the audit read-only multicast group (needs CAP_AUDIT_READ, kernel 3.16+)" : "bind(NETLINK_AUDIT)", errno);
        }
        return new AuditSocket(fd);
    }

    /** Asks for a receive buffer of this many bytes, past net.core.rmem_max when privileged; returns what the kernel granted. */
    int receiveBuffer(int bytes) {
        int[] v = {bytes};
        if (Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, v, 4) < 0) {
            Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, v, 4);
        }
        int[] got = {0};
        int[] len = {4};
        Libc.getsockopt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, got, len);
        return got[0];
    }

    /** Sends one request and returns its sequence number. */
    int send(int type, int flags, byte[] payload) {
        int s = ++seq;
        int len = HEADER + payload.length;
        ByteBuffer b = ByteBuffer.allocate((len + 3) & ~3).order(ByteOrder.nativeOrder());
        b.putInt(len).putShort((short) type).putShort((short) (NLM_F_REQUEST | flags)).putInt(s).putInt(0).put(payload);
        byte[] kernel = Libc.sockaddrNl(0);
        while (true) {
            long n = Libc.sendto(fd, b.array(), b.capacity(), 0, kernel, kernel.length);
            if (n >= 0) return s;
            int errno = Native.getLastError();
            if (errno != Libc.EINTR) throw new AuditException("sending audit request " + type, errno);
        }
    }

    /**
     * One datagram into {@link #buffer}: its length, 0 when nothing is waiting (with wait=false), or a
     * negative errno (ENOBUFS: the kernel dropped messages for this socket).
     */
    int receive(boolean wait) {
        while (true) {
            long n = Libc.recv(fd, buffer, BUFFER_SIZE, wait ? 0 : Libc.MSG_DONTWAIT);
            if (n >= 0) return (int) n;
            int errno = Native.getLastError();
            if (errno == Libc.EINTR) continue;
            if (errno == Libc.EAGAIN) return 0;
            return -errno;
        }
    }

    /**
     * Receives up to {@link #SLOTS} waiting datagrams with one recvmmsg; returns how many (see
     * {@link #slot}, {@link #slotLength}), 0 when none is waiting, or a negative errno.
     */
    int receiveMany() {
        if (slots == null) {
            slots = new Memory((long) SLOTS * SLOT);
            headers = new Memory((long) SLOTS * MMSGHDR);
            iovecs = new Memory((long) SLOTS * IOVEC);
            headers.clear();
            for (int i = 0; i < SLOTS; i++) {
                iovecs.setPointer((long) i * IOVEC, slots.share((long) i * SLOT));
                iovecs.setLong((long) i * IOVEC + 8, SLOT);
                headers.setPointer((long) i * MMSGHDR + MSGHDR_IOV, iovecs.share((long) i * IOVEC));
                headers.setLong((long) i * MMSGHDR + MSGHDR_IOVLEN, 1);
            }
            slotsView = slots.getByteBuffer(0, (long) SLOTS * SLOT).order(ByteOrder.nativeOrder());
            headersView = headers.getByteBuffer(0, (long) SLOTS * MMSGHDR).order(ByteOrder.nativeOrder());
        }
        while (true) {
            int n = Libc.recvmmsg(fd, headers, SLOTS, Libc.MSG_DONTWAIT, null);
            if (n >= 0) return n;
            int errno = Native.getLastError();
            if (errno == Libc.EINTR) continue;
            if (errno == Libc.EAGAIN) return 0;
            return -errno;
        }
    }

    /** The datagrams of the last {@link #receiveMany}: the i-th starts at {@code i * SLOT}. */
    ByteBuffer slots() {
        return slotsView;
    }

    int slotLength(int i) {
        return headersView.getInt(i * MMSGHDR + MSG_LEN);
    }

    private boolean awaitReadable(long deadlineNanos) {
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (left <= 0) return false;
        pollFd.setInt(0, fd);
        pollFd.setShort(4, Libc.POLLIN);
        pollFd.setShort(6, (short) 0);
        return Libc.poll(pollFd, 1, (int) Math.min(left, Integer.MAX_VALUE)) > 0;
    }

    /** {@link #buffer}, the datagram of the last {@link #receive}. */
    ByteBuffer view() {
        return view;
    }

    /** What ends a request: its ACK (set, add, delete), its one reply (get), or NLMSG_DONE (list). */
    private enum Until { ACK, REPLY, DONE }

    /**
     * Sends a request and collects the reply messages with its sequence number. The kernel sends
     * replies from a separate thread, so an ACK may come before or after them: a GET is sent without
     * NLM_F_ACK and a list waits for NLMSG_DONE. Other datagrams (events, when this is the event
     * socket) go to {@code other}.
     */
    private List<byte[]> request(int type, byte[] payload, Until until, Consumer<Integer> other) {
        int s = send(type, until == Until.REPLY ? 0 : NLM_F_ACK, payload);
        List<byte[]> out = new ArrayList<>();
        long deadline = System.nanoTime() + REPLY_TIMEOUT_MILLIS * 1_000_000L;
        while (true) {
            int n = receive(false);
            if (n == 0) {
                if (!awaitReadable(deadline)) throw new AuditException("no reply from the kernel to audit request " + type, Libc.EAGAIN);
                continue;
            }
            if (n < 0) {
                if (-n == Libc.ENOBUFS) continue;
                throw new AuditException("receiving the reply to audit request " + type, -n);
            }
            int off = 0;
            boolean mine = false;
            while (off + HEADER <= n) {
                int len = view.getInt(off);
                int msgType = view.getShort(off + 4) & 0xffff;
                int msgSeq = view.getInt(off + 8);
                if (msgSeq != s) break;
                mine = true;
                if (len < HEADER || off + len > n) len = n - off;
                if (msgType == NLMSG_ERROR) {
                    int err = -view.getInt(off + HEADER);
                    if (err != 0) throw new AuditException("audit request " + type, err);
                    if (until == Until.ACK) return out;
                } else if (msgType == NLMSG_DONE) {
                    return out;
                } else {
                    byte[] m = new byte[len - HEADER];
                    view.get(off + HEADER, m, 0, m.length);
                    out.add(m);
                    if (until == Until.REPLY) return out;
                }
                off += (len + 3) & ~3;
            }
            if (!mine && other != null) other.accept(n);
        }
    }

    AuditStatus status() {
        byte[] m = request(AUDIT_GET, new byte[0], Until.REPLY, null).get(0);
        return AuditStatus.decode(ByteBuffer.wrap(m).order(ByteOrder.nativeOrder()), 0, m.length);
    }

    /** AUDIT_SET; events arriving meanwhile (on the event socket) go to {@code other}. */
    void set(byte[] status, Consumer<Integer> other) {
        request(AUDIT_SET, status, Until.ACK, other);
    }

    List<AuditRule> rules() {
        List<AuditRule> out = new ArrayList<>();
        for (byte[] m : request(AUDIT_LIST_RULES, new byte[0], Until.DONE, null)) {
            out.add(AuditRule.decode(ByteBuffer.wrap(m).order(ByteOrder.nativeOrder()), 0, m.length));
        }
        return out;
    }

    void addRule(AuditRule r) {
        request(AUDIT_ADD_RULE, r.data(), Until.ACK, null);
    }

    void deleteRule(AuditRule r) {
        request(AUDIT_DEL_RULE, r.data(), Until.ACK, null);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        Libc.close(fd);
    }
}
