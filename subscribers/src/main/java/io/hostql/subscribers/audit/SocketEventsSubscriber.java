package io.hostql.subscribers.audit;

import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.evented.Row;
import io.hostql.events.AuditRecordsEvent;
import io.hostql.events.Event;
import io.hostql.events.EventType;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.events.SocketEvent;
import io.hostql.os.proc.ProcFs;
import io.hostql.publishers.audit.AuditDecoder;
import io.hostql.subscribers.Subscriber;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * socket_events: bind, connect and accept, with the address decoded from the kernel's sockaddr (bind:
 * local; connect and accept: remote). As osquery: failed calls are kept only with
 * {@code audit_allow_failed_socket_events}, a non-blocking accept with no client only with
 * {@code audit_allow_null_accept_socket_events}, UNIX sockets only with {@code audit_allow_unix}, and
 * netlink sockets never. A non-blocking connect still in progress is kept (status in_progress).
 */
public final class SocketEventsSubscriber extends Subscriber {
    public static final String NAME = "socket_events";
    private static final int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16;
    private static final long EAGAIN = -11, EINPROGRESS = -115;

    /** osquery's socket_events flags. */
    public record Options(boolean failed, boolean nullAccept, boolean unix) {}

    private static final Row.Layout SOCKET = Row.layout(EventedTables.SOCKET_EVENTS);
    private static final Row.Text ACTION = SOCKET.text("action"), PATH = SOCKET.text("path"), FD = SOCKET.text("fd"),
            LOCAL_ADDRESS = SOCKET.text("local_address"), REMOTE_ADDRESS = SOCKET.text("remote_address"), SOCKET_PATH = SOCKET.text("socket"),
            STATUS = SOCKET.text("status");
    private static final Row.Int PID = SOCKET.integer("pid"), AUID = SOCKET.integer("auid"), FAMILY = SOCKET.integer("family"),
            PROTOCOL = SOCKET.integer("protocol"), LOCAL_PORT = SOCKET.integer("local_port"), REMOTE_PORT = SOCKET.integer("remote_port"),
            TIME = SOCKET.integer("time"), UPTIME = SOCKET.integer("uptime"), SUCCESS = SOCKET.integer("success"), UID = SOCKET.integer("uid"),
            EVENT_TIME_MS = SOCKET.integer("event_time_ms"), AUDIT_SERIAL = SOCKET.integer("audit_serial");

    private final Options options;
    private final long bootTime = ProcFs.bootTime();

    public SocketEventsSubscriber(Journal journal, EventStore store, Options options) {
        super(NAME, journal, store);
        this.options = options;
    }

    @Override
    protected Set<EventType> types() {
        return Set.of(EventType.SOCKET, EventType.AUDIT_RECORDS);
    }

    @Override
    protected void handle(JournalEntry entry, Rows out) {
        if (entry.event() instanceof AuditRecordsEvent raw && !AuditDecoder.isSocketCall(AuditDecoder.syscallName(raw))) return; // parsed by the table it is for
        Event event = entry.event() instanceof AuditRecordsEvent raw ? AuditDecoder.syscall(raw) : entry.event();
        if (!(event instanceof SocketEvent e)) return;
        Row row = row(e);
        if (row != null) out.add(row);
    }

    /** The row for an event, or null when osquery's rules (above) skip it; the soak's journal check asks the same. One thread at a time. */
    public Row row(SocketEvent e) {
        boolean accept = e.syscall().startsWith("accept");
        String status;
        if (e.success()) status = "succeeded";
        else if (e.syscall().equals("connect") && e.exit() == EINPROGRESS) status = "in_progress";
        else if (accept && e.exit() == EAGAIN) status = "no_client";
        else status = "failed";
        if (status.equals("failed") && !options.failed || status.equals("no_client") && !options.nullAccept) return null;
        byte[] sa = e.sockaddr();
        int family = sa != null && sa.length >= 2 ? (sa[0] & 0xff) | (sa[1] & 0xff) << 8 : 0;
        if (family == AF_NETLINK) return null;
        if (family == AF_UNIX && !options.unix) return null;
        String address = "", socket = "";
        long port = 0;
        if (family == AF_INET && sa.length >= 8) {
            port = (sa[2] & 0xff) << 8 | (sa[3] & 0xff);
            address = ipv4.of((sa[4] & 0xffL) << 24 | (sa[5] & 0xff) << 16 | (sa[6] & 0xff) << 8 | (sa[7] & 0xff));
        } else if (family == AF_INET6 && sa.length >= 24) {
            port = (sa[2] & 0xff) << 8 | (sa[3] & 0xff);
            address = ipv6(sa, 8);
        } else if (family == AF_UNIX) {
            socket = unixPath(sa);
        }
        boolean bind = e.syscall().equals("bind");
        String action = accept ? "accept" : e.syscall();
        long seconds = e.kernelMillis() / 1000;
        return SOCKET.row().set(ACTION, action).set(PID, e.pid()).set(PATH, e.exe()).set(FD, fd.of(e.a0())).set(AUID, e.auid())
                .set(FAMILY, family).set(PROTOCOL, 0).set(LOCAL_ADDRESS, bind ? address : "").set(REMOTE_ADDRESS, bind ? "" : address)
                .set(LOCAL_PORT, bind ? port : 0).set(REMOTE_PORT, bind ? 0 : port).set(SOCKET_PATH, socket)
                .set(TIME, e.captureNanos() / 1_000_000_000L).set(UPTIME, bootTime > 0 ? Math.max(0, seconds - bootTime) : null)
                .set(SUCCESS, status.equals("failed") ? 0 : 1).set(STATUS, status).set(UID, e.uid())
                .set(EVENT_TIME_MS, e.kernelMillis()).set(AUDIT_SERIAL, e.serial());
    }

    /** The IPv4 address (as an unsigned 32-bit number) and the fd as text: a host talks to few addresses. */
    private final LastText ipv4 = new LastText(v -> (v >>> 24) + "." + (v >>> 16 & 0xff) + "." + (v >>> 8 & 0xff) + "." + (v & 0xff));
    private final LastText fd = new LastText(Long::toString);

    /** RFC 5952 text: lower-case hex, the longest run of two or more zero groups as "::". */
    static String ipv6(byte[] b, int off) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = (b[off + 2 * i] & 0xff) << 8 | (b[off + 2 * i + 1] & 0xff);
        int bestStart = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestStart == 0 && bestLen == 5 && g[5] == 0xffff) { // v4-mapped
            return "::ffff:" + (g[6] >> 8) + "." + (g[6] & 0xff) + "." + (g[7] >> 8) + "." + (g[7] & 0xff);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    private static String unixPath(byte[] sa) {
        if (sa.length <= 2) return "";
        if (sa[2] == 0) return "@" + new String(sa, 3, sa.length - 3, StandardCharsets.UTF_8).replace("\0", "");
        int n = 2;
        while (n < sa.length && sa[n] != 0) n++;
        return new String(sa, 2, n - 2, StandardCharsets.UTF_8);
    }
}
