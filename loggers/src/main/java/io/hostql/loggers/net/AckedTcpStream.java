package io.hostql.loggers.net;

import com.sun.jna.Native;
import io.hostql.os.Libc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP (or TLS) connection to a collector that never answers (syslog over TCP, GELF over TCP): the
 * protocols have no application-level acknowledgement, so {@link #send} returns when the collector's
 * TCP stack has acknowledged every byte (SIOCOUTQ reaches 0) and the connection is still open; a
 * collector that closes or resets mid-batch makes send throw, and the batch is resent. What plain TCP
 * cannot show is a collector process that dies with acknowledged bytes still unread in its kernel
 * buffer; only a protocol with acknowledgements (RELP, an HTTP API) closes that gap.
 *
 * <p>With an SSLContext the bytes go inside TLS, the server's certificate checked against the given
 * CA or the JDK's trust store, and its name against the target's host. The same acknowledgement rule
 * applies to the TLS records in the kernel's send queue.
 */
public final class AckedTcpStream implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AckedTcpStream.class);
    private static final long CONNECT_TIMEOUT_MS = 5000, ACK_TIMEOUT_MS = 30_000;
    private static volatile boolean warnedNoAck;

    private final String host;
    private final int port;
    private final SSLContext tls;
    private final String target;
    private final ByteBuffer probe = ByteBuffer.allocate(512);
    private final byte[] tlsProbe = new byte[512];
    private volatile SocketChannel channel;
    private volatile SSLSocket ssl;
    private int fd = -1;

    /** tls null: plain TCP. target names it in messages (tcp://host:port or tls://host:port). */
    public AckedTcpStream(String host, int port, SSLContext tls) {
        this.host = host;
        this.port = port;
        this.tls = tls;
        this.target = (tls == null ? "tcp://" : "tls://") + host + ":" + port;
    }

    public String target() {
        return target;
    }

    /** Writes the bytes (connecting first if needed) and returns once the collector's TCP has acknowledged them all. */
    public void send(byte[] bytes) throws IOException {
        if (channel == null) connect();
        SocketChannel ch = channel;
        checkOpen(ch); // a collector that went away since the last batch: reconnect before writing
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + ACK_TIMEOUT_MS * 1_000_000L;
        if (ssl != null) {
            ssl.getOutputStream().write(bytes);
            ssl.getOutputStream().flush();
            buf.position(buf.limit());
        }
        while (buf.hasRemaining()) {
            if (ch.write(buf) == 0) {
                checkOpen(ch);
                if (System.nanoTime() > deadline) {
                    throw new IOException("the collector stopped reading: " + buf.remaining() + " bytes not taken in "
                            + ACK_TIMEOUT_MS / 1000 + " s");
                }
                LockSupport.parkNanos(1_000_000L);
            }
        }
        awaitAcknowledged(ch, bytes.length, deadline);
    }

    private void connect() throws IOException {
        SocketChannel ch = SocketChannel.open();
        SSLSocket s = null;
        try {
            ch.socket().connect(new InetSocketAddress(host, port), (int) CONNECT_TIMEOUT_MS);
            ch.socket().setKeepAlive(true);
            if (tls == null) {
                ch.configureBlocking(false);
            } else {
                // TLS over the channel's socket, kept blocking: the descriptor stays ours for SIOCOUTQ.
                s = (SSLSocket) tls.getSocketFactory().createSocket(ch.socket(), host, port, true);
                SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
                s.setSSLParameters(p);
                s.setSoTimeout((int) CONNECT_TIMEOUT_MS);
                s.startHandshake();
            }
        } catch (IOException | RuntimeException e) {
            if (s != null) s.close();
            ch.close();
            throw new IOException("cannot connect to " + target + ": " + e.getMessage(), e);
        }
        fd = fdOf(ch);
        ssl = s;
        channel = ch;
    }

    /** Waits until the peer's TCP has acknowledged every byte sent, checking the connection stays open. */
    private void awaitAcknowledged(SocketChannel ch, int sent, long deadline) throws IOException {
        if (fd < 0) return; // no access to the descriptor: written is all that can be known
        int[] outq = new int[1];
        while (true) {
            if (Libc.ioctl(fd, Libc.SIOCOUTQ, outq) < 0) {
                throw new IOException("cannot read the unacknowledged bytes of the connection: " + Libc.errorText(Native.getLastError()));
            }
            checkOpen(ch); // a reset empties the send queue too: it must not pass for an acknowledgement
            if (outq[0] == 0) return;
            if (System.nanoTime() > deadline) {
                throw new IOException("the collector acknowledged " + (sent - outq[0]) + " of " + sent + " bytes in "
                        + ACK_TIMEOUT_MS / 1000 + " s");
            }
            LockSupport.parkNanos(200_000L);
        }
    }

    /** Throws when the collector has closed or reset the connection (these collectors never write to us). */
    private void checkOpen(SocketChannel ch) throws IOException {
        SSLSocket s = ssl;
        if (s != null) {
            s.setSoTimeout(1);
            try {
                while (true) {
                    if (s.getInputStream().read(tlsProbe) < 0) throw new IOException("the collector closed the connection");
                }
            } catch (java.net.SocketTimeoutException open) {
                return; // nothing to read: still open
            }
        }
        while (true) {
            probe.clear();
            int n = ch.read(probe);
            if (n < 0) throw new IOException("the collector closed the connection");
            if (n == 0) return;
        }
    }

    /** The socket's descriptor, for SIOCOUTQ (needs --add-exports java.base/sun.nio.ch, which hostql's JVM flags have). */
    private static int fdOf(SocketChannel ch) {
        try {
            return (int) Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal").invoke(ch);
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (!warnedNoAck) {
                warnedNoAck = true;
                log.warn("cannot observe TCP acknowledgements ({}); a batch sent over TCP counts as delivered once written", e.toString());
            }
            return -1;
        }
    }

    /** Drops the connection (the next send reconnects); also aborts a connect or a wait on another thread. */
    @Override
    public void close() {
        SocketChannel ch = channel;
        SSLSocket s = ssl;
        channel = null;
        ssl = null;
        fd = -1;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing the channel below is what matters
            }
        }
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already broken; a new connection replaces it
            }
        }
    }
}
