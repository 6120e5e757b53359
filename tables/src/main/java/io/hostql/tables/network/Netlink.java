package io.hostql.tables.network;

import com.sun.jna.Native;
import io.hostql.os.Libc;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** A NETLINK_ROUTE dump request and its replies, through a plain socket (netlink is host-endian). */
final class Netlink {
    private Netlink() {}

    static final int NLMSG_ERROR = 2, NLMSG_DONE = 3;
    private static final int NLM_F_REQUEST = 0x1, NLM_F_DUMP = 0x300;
    private static final int RECV_BUFFER = 256 * 1024;

    /** Sends {@code type} with the given family-specific header as a dump request; returns each reply message (header included). */
    static List<ByteBuffer> dump(int type, byte[] payload) {
        int fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Libc.NETLINK_ROUTE);
        if (fd < 0) throw new IllegalStateException("netlink socket: " + Libc.errorText(Native.getLastError()));
        try {
            int seq = (int) (System.nanoTime() & 0x7fffffff);
            ByteBuffer req = ByteBuffer.allocate(16 + align(payload.length)).order(ByteOrder.nativeOrder());
            req.putInt(req.capacity()).putShort((short) type).putShort((short) (NLM_F_REQUEST | NLM_F_DUMP))
                    .putInt(seq).putInt(0).put(payload);
            if (Libc.send(fd, req.array(), req.capacity(), 0) < 0) {
                throw new IllegalStateException("netlink send: " + Libc.errorText(Native.getLastError()));
            }
            List<ByteBuffer> out = new ArrayList<>();
            byte[] buf = new byte[RECV_BUFFER];
            while (true) {
                long n = Libc.recv(fd, buf, buf.length, 0);
                if (n < 0) {
                    int errno = Native.getLastError();
                    if (errno == 4) continue; // EINTR
                    throw new IllegalStateException("netlink recv: " + Libc.errorText(errno));
                }
                ByteBuffer b = ByteBuffer.wrap(buf, 0, (int) n).order(ByteOrder.nativeOrder());
                int off = 0;
                while (off + 16 <= n) {
                    int len = b.getInt(off);
                    int msgType = b.getShort(off + 4) & 0xffff;
                    int msgSeq = b.getInt(off + 8);
                    if (len < 16 || off + len > n) break;
                    if (msgSeq == seq) {
                        if (msgType == NLMSG_DONE) return out;
                        if (msgType == NLMSG_ERROR) {
                            int err = -b.getInt(off + 16);
                            if (err == 0) return out;
                            throw new IllegalStateException("netlink dump: " + Libc.errorText(err));
                        }
                        byte[] msg = new byte[len];
                        System.arraycopy(buf, off, msg, 0, len);
                        out.add(ByteBuffer.wrap(msg).order(ByteOrder.nativeOrder()));
                    }
                    off += align(len);
                }
            }
        } finally {
            Libc.close(fd);
        }
    }

    static int align(int n) {
        return (n + 3) & ~3;
    }
}
