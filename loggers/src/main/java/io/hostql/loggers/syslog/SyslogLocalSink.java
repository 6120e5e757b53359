package io.hostql.loggers.syslog;

import io.hostql.events.LogLineEvent;
import io.hostql.loggers.delivery.Sink;
import com.sun.jna.Native;
import io.hostql.os.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * osquery's syslog logger: datagrams to the local syslog socket (/dev/log), with the header glibc's
 * syslog(3) writes (ident hostqld, LOG_PID, the facility). Sent with sendto() on our own socket rather
 * than through syslog(3) so that the socket path can be set and a failure is seen: syslog(3) drops a
 * message it cannot send (what osquery does while the syslog daemon is down), here it stays in the
 * outbox and is retried. A datagram socket gives no acknowledgement: "delivered" means the syslog
 * daemon's socket took the datagram (sendto succeeded). A line longer than the socket accepts
 * (EMSGSIZE: the socket's send buffer, net.core.wmem_default, 208 KiB on most systems) can never be sent and
 * is counted as lost; rsyslog cuts messages at its maxMessageSize
 * (8 KiB unless configured larger), so long snapshot lines need that raised on the receiver.
 */
final class SyslogLocalSink implements Sink {
    private static final int SEND_TIMEOUT_SECONDS = 5;

    private final Path socket;
    private final byte[] address;
    private final SyslogFormat format;
    private int fd = -1;

    SyslogLocalSink(Path socket, SyslogFormat format) {
        this.socket = socket;
        this.format = format;
        byte[] path = socket.toString().getBytes(StandardCharsets.UTF_8);
        if (path.length >= 108) throw new IllegalArgumentException("syslog socket path is too long for a Unix socket: " + socket);
        // struct sockaddr_un: sa_family_t (little-endian u16) then the NUL-terminated path.
        address = new byte[2 + path.length + 1];
        address[0] = Libc.AF_UNIX;
        System.arraycopy(path, 0, address, 2, path.length);
    }

    @Override
    public String plugin() {
        return "syslog";
    }

    @Override
    public String target() {
        return "unix://" + socket;
    }

    @Override
    public boolean takesStatus() {
        return true;
    }

    @Override
    public synchronized void deliver(List<LogLineEvent> lines, Refused refused) throws IOException {
        if (fd < 0) open();
        long now = System.currentTimeMillis();
        for (LogLineEvent l : lines) {
            byte[] d = format.rfc3164(l, now);
            if (Libc.sendto(fd, d, d.length, Libc.MSG_NOSIGNAL, address, address.length) >= 0) continue;
            int errno = Native.getLastError();
            if (errno == Libc.EMSGSIZE) {
                refused.line(l, "a " + d.length + "-byte datagram is larger than " + socket + " accepts");
            } else if (errno == Libc.EAGAIN) {
                throw new IOException("the syslog daemon did not take a datagram on " + socket + " in " + SEND_TIMEOUT_SECONDS + " s");
            } else {
                throw new IOException("cannot send to " + socket + ": " + Libc.errorText(errno));
            }
        }
    }

    private void open() throws IOException {
        int s = Libc.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (s < 0) throw new IOException("cannot create a Unix datagram socket: " + Libc.errorText(Native.getLastError()));
        // struct timeval {long tv_sec; long tv_usec}: a stalled syslog daemon makes sendto fail, not hang.
        byte[] tv = new byte[16];
        tv[0] = SEND_TIMEOUT_SECONDS;
        Libc.setsockopt(s, Libc.SOL_SOCKET, Libc.SO_SNDTIMEO, tv, tv.length);
        // The send buffer stays the kernel's default (net.core.wmem_default), as for syslog(3): it is the largest datagram.
        fd = s;
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) Libc.close(fd);
        fd = -1;
    }
}
