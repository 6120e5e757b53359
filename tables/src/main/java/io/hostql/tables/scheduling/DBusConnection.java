package io.hostql.tables.scheduling;

import io.hostql.os.Libc;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A minimal D-Bus client over a Unix socket: EXTERNAL authentication, method calls with string
 * arguments, and replies decoded from the wire format into Java values (s/o/g: String; y: Integer;
 * b: Boolean; n/q/i/u/x/t: Long; d: Double; a: List, a{..}: Map; (..): List; v: the value).
 * Calls can be pipelined: {@link #send} several, then {@link #reply} each.
 */
final class DBusConnection implements Closeable {
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hostql-dbus-timeout");
        t.setDaemon(true);
        return t;
    });

    private final SocketChannel channel;
    private final ScheduledFuture<?> deadline;
    private final ByteBuffer in = ByteBuffer.allocate(1 << 16);
    private final Map<Long, Object> replies = new HashMap<>();
    private int serial;

    /** A D-Bus error reply. */
    static final class DBusError extends IOException {
        final String name;

        DBusError(String name, String message) {
            super(name + (message == null ? "" : ": " + message));
            this.name = name;
        }
    }

    private DBusConnection(SocketChannel channel, long timeoutMillis) {
        this.channel = channel;
        // a stuck peer must not hang the query: the socket is closed when time runs out
        this.deadline = WATCHDOG.schedule(() -> {
            try {
                channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        in.flip();
    }

    /** Connects and authenticates; on a message bus (not a peer socket) also says Hello. */
    static DBusConnection open(String socketPath, boolean bus, long timeoutMillis) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        DBusConnection c;
        try {
            ch.connect(UnixDomainSocketAddress.of(socketPath));
            c = new DBusConnection(ch, timeoutMillis);
            c.authenticate();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (bus) {
            try {
                c.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello");
            } catch (IOException e) {
                c.close();
                throw e;
            }
        }
        return c;
    }

    private void authenticate() throws IOException {
        String uid = Integer.toString(Libc.geteuid());
        StringBuilder hex = new StringBuilder();
        for (byte b : uid.getBytes(StandardCharsets.US_ASCII)) hex.append(String.format("%02x", b));
        write(("\0AUTH EXTERNAL " + hex + "\r\n").getBytes(StandardCharsets.US_ASCII));
        String line = readLine();
        if (!line.startsWith("OK ")) throw new IOException("D-Bus authentication refused: " + line);
        write("BEGIN\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (!in.hasRemaining()) fill();
            byte b = in.get();
            if (b == '\n') break;
            if (b != '\r') sb.append((char) b);
            if (sb.length() > 4096) throw new IOException("D-Bus authentication line too long");
        }
        return sb.toString();
    }

    private void fill() throws IOException {
        in.compact();
        int n = channel.read(in);
        in.flip();
        if (n < 0) throw new IOException("D-Bus peer closed the connection");
    }

    private void write(byte[] b) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) channel.write(buf);
    }

    /** Calls a method with string arguments and waits for its reply body (a list of values). */
    List<Object> call(String dest, String path, String iface, String member, String... args) throws IOException {
        return reply(send(dest, path, iface, member, args));
    }

    /** Sends a method call; returns its serial for {@link #reply}. */
    long send(String dest, String path, String iface, String member, String... args) throws IOException {
        int s = ++serial;
        Writer body = new Writer();
        for (String a : args) body.string(a);
        Writer h = new Writer();
        h.b('l').b(1).b(0).b(1).u32(body.size()).u32(s);
        // header fields: array of (code, variant)
        Writer f = new Writer();
        field(f, 1, "o", path);
        if (iface != null) field(f, 2, "s", iface);
        field(f, 3, "s", member);
        if (dest != null) field(f, 6, "s", dest);
        if (args.length > 0) field(f, 8, "g", "s".repeat(args.length));
        h.u32(f.size());
        h.raw(f.bytes());
        h.pad(8);
        h.raw(body.bytes());
        write(h.bytes());
        return s;
    }

    private static void field(Writer f, int code, String sig, String value) {
        f.pad(8);
        f.b(code);
        f.signature(sig);
        if (sig.equals("g")) f.signature(value);
        else f.string(value);
    }

    /** Waits for the reply to a serial; an error reply is thrown as {@link DBusError}. */
    @SuppressWarnings("unchecked")
    List<Object> reply(long serial) throws IOException {
        while (!replies.containsKey(serial)) readMessage();
        Object r = replies.remove(serial);
        if (r instanceof DBusError e) throw e;
        return (List<Object>) r;
    }

    private void readMessage() throws IOException {
        byte[] fixed = readBytes(16);
        ByteOrder order = fixed[0] == 'B' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        ByteBuffer fb = ByteBuffer.wrap(fixed).order(order);
        int type = fixed[1];
        long bodyLen = fb.getInt(4) & 0xffffffffL;
        long fieldsLen = fb.getInt(12) & 0xffffffffL;
        if (bodyLen > (128 << 20) || fieldsLen > (1 << 20)) throw new IOException("D-Bus message too large");
        int headerRest = (int) fieldsLen;
        int padded = (int) ((16 + fieldsLen + 7) & ~7L) - 16;
        byte[] all = new byte[16 + padded + (int) bodyLen];
        System.arraycopy(fixed, 0, all, 0, 16);
        byte[] rest = readBytes(padded + (int) bodyLen);
        System.arraycopy(rest, 0, all, 16, rest.length);
        Reader r = new Reader(all, order);
        r.pos = 12;
        @SuppressWarnings("unchecked")
        List<Object> fields = (List<Object>) r.read("a(yv)");
        Long replySerial = null;
        String signature = "";
        String errorName = null;
        for (Object o : fields) {
            List<?> fv = (List<?>) o;
            int code = ((Number) fv.get(0)).intValue();
            Object v = fv.get(1);
            if (code == 5) replySerial = ((Number) v).longValue();
            else if (code == 8) signature = (String) v;
            else if (code == 4) errorName = (String) v;
        }
        r.pos = 16 + padded;
        if (headerRest < 0 || replySerial == null || (type != 2 && type != 3)) return; // signals and calls: ignored
        List<Object> body = new ArrayList<>();
        for (String t : splitSignature(signature)) body.add(r.read(t));
        if (type == 3) {
            String msg = !body.isEmpty() && body.get(0) instanceof String s ? s : null;
            replies.put(replySerial, new DBusError(errorName, msg));
        } else {
            replies.put(replySerial, body);
        }
    }

    private byte[] readBytes(int n) throws IOException {
        byte[] out = new byte[n];
        int off = 0;
        while (off < n) {
            if (!in.hasRemaining()) fill();
            int k = Math.min(in.remaining(), n - off);
            in.get(out, off, k);
            off += k;
        }
        return out;
    }

    /** The single complete types of a signature. */
    static List<String> splitSignature(String sig) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < sig.length()) {
            int end = typeEnd(sig, i);
            out.add(sig.substring(i, end));
            i = end;
        }
        return out;
    }

    private static int typeEnd(String sig, int i) {
        char c = sig.charAt(i);
        if (c == 'a') return typeEnd(sig, i + 1);
        if (c == '(' || c == '{') {
            char close = c == '(' ? ')' : '}';
            int j = i + 1;
            while (sig.charAt(j) != close) j = typeEnd(sig, j);
            return j + 1;
        }
        return i + 1;
    }

    @Override
    public void close() throws IOException {
        deadline.cancel(false);
        channel.close();
    }

    /** Little-endian marshalling of the few types hostql sends. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        int size() {
            return out.size();
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        Writer b(int v) {
            out.write(v);
            return this;
        }

        Writer pad(int align) {
            while (out.size() % align != 0) out.write(0);
            return this;
        }

        Writer u32(long v) {
            pad(4);
            out.write((int) v);
            out.write((int) (v >> 8));
            out.write((int) (v >> 16));
            out.write((int) (v >> 24));
            return this;
        }

        Writer raw(byte[] b) {
            out.write(b, 0, b.length);
            return this;
        }

        Writer string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u32(b.length);
            raw(b);
            out.write(0);
            return this;
        }

        Writer signature(String s) {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            out.write(b.length);
            raw(b);
            out.write(0);
            return this;
        }
    }

    /** Unmarshals values of a message (alignment is relative to the message start). */
    static final class Reader {
        private final ByteBuffer buf;
        int pos;

        Reader(byte[] data, ByteOrder order) {
            this.buf = ByteBuffer.wrap(data).order(order);
        }

        private void align(int a) {
            pos = (pos + a - 1) & -a;
        }

        Object read(String sig) throws IOException {
            try {
                return readType(sig, 0);
            } catch (IndexOutOfBoundsException | ClassCastException e) {
                throw new IOException("malformed D-Bus message (" + sig + ")", e);
            }
        }

        private Object readType(String sig, int i) throws IOException {
            char c = sig.charAt(i);
            switch (c) {
                case 'y':
                    return buf.get(pos++) & 0xff;
                case 'b': {
                    align(4);
                    int v = buf.getInt(pos);
                    pos += 4;
                    return v != 0;
                }
                case 'n': {
                    align(2);
                    long v = buf.getShort(pos);
                    pos += 2;
                    return v;
                }
                case 'q': {
                    align(2);
                    long v = buf.getShort(pos) & 0xffff;
                    pos += 2;
                    return v;
                }
                case 'i': {
                    align(4);
                    long v = buf.getInt(pos);
                    pos += 4;
                    return v;
                }
                case 'u':
                case 'h': {
                    align(4);
                    long v = buf.getInt(pos) & 0xffffffffL;
                    pos += 4;
                    return v;
                }
                case 'x':
                case 't': {
                    align(8);
                    long v = buf.getLong(pos);
                    pos += 8;
                    return v;
                }
                case 'd': {
                    align(8);
                    double v = buf.getDouble(pos);
                    pos += 8;
                    return v;
                }
                case 's':
                case 'o': {
                    align(4);
                    int len = buf.getInt(pos);
                    pos += 4;
                    String s = new String(buf.array(), pos, len, StandardCharsets.UTF_8);
                    pos += len + 1;
                    return s;
                }
                case 'g': {
                    int len = buf.get(pos) & 0xff;
                    pos += 1;
                    String s = new String(buf.array(), pos, len, StandardCharsets.US_ASCII);
                    pos += len + 1;
                    return s;
                }
                case 'v': {
                    String inner = (String) readType("g", 0);
                    return readType(inner, 0);
                }
                case 'a': {
                    align(4);
                    long len = buf.getInt(pos) & 0xffffffffL;
                    pos += 4;
                    char elem = sig.charAt(i + 1);
                    align(elem == '(' || elem == '{' || elem == 'x' || elem == 't' || elem == 'd' ? 8 : 1);
                    int end = pos + (int) len;
                    String elemSig = sig.substring(i + 1, typeEnd(sig, i + 1));
                    if (elem == '{') {
                        Map<Object, Object> m = new LinkedHashMap<>();
                        while (pos < end) {
                            align(8);
                            List<String> kv = splitSignature(elemSig.substring(1, elemSig.length() - 1));
                            Object k = readType(kv.get(0), 0);
                            Object v = readType(kv.get(1), 0);
                            m.put(k, v);
                        }
                        return m;
                    }
                    List<Object> list = new ArrayList<>();
                    while (pos < end) list.add(readType(elemSig, 0));
                    return list;
                }
                case '(': {
                    align(8);
                    List<Object> fields = new ArrayList<>();
                    String inner = sig.substring(i + 1, typeEnd(sig, i) - 1);
                    for (String t : splitSignature(inner)) fields.add(readType(t, 0));
                    return fields;
                }
                default:
                    throw new IOException("unsupported D-Bus type " + c);
            }
        }
    }
}
