package io.hostql.remote.testserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay in front of the test server that closes a connection idle for idleMillis (no bytes
 * either way), as Go's http.Server IdleTimeout does; TLS passes through it untouched. The JDK's
 * HttpsServer has only a JVM-wide idle interval, in whole seconds and checked every 10 s.
 */
final class IdleRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final int target;
    private final long idleMillis;
    private final AtomicInteger accepted = new AtomicInteger();

    IdleRelay(int targetPort, long idleMillis) throws IOException {
        this.target = targetPort;
        this.idleMillis = idleMillis;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon(this::accept, "idle-relay");
    }

    int port() {
        return listener.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    /** Starts r on a daemon thread (the test servers' helpers never hold the JVM). */
    static void daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                accepted.incrementAndGet();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target));
                long[] last = {System.nanoTime()};
                daemon(() -> pump(client, server, last), "idle-relay-up");
                daemon(() -> pump(server, client, last), "idle-relay-down");
            } catch (IOException e) {
                // closed, or the server went: the next accept tells
            }
        }
    }

    /** Copies from to to until either ends or the connection has been idle for idleMillis, then closes both. */
    private void pump(Socket from, Socket to, long[] last) {
        byte[] buf = new byte[16384];
        try (from; to) {
            from.setSoTimeout(50);
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    synchronized (last) {
                        if (System.nanoTime() - last[0] > idleMillis * 1_000_000L) return;
                    }
                    continue;
                }
                if (n < 0) return;
                synchronized (last) {
                    last[0] = System.nanoTime();
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the other side closed: both go
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // closing
        }
    }
}
