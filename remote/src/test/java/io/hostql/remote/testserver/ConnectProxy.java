package io.hostql.remote.testserver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An HTTP proxy that tunnels CONNECT requests (what --proxy_hostname points at), or refuses them all with a 407. */
public final class ConnectProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final boolean refuse;
    /** The CONNECT request lines received, one per tunnel asked for. */
    public final List<String> connects = new CopyOnWriteArrayList<>();

    public ConnectProxy(boolean refuse) throws IOException {
        this.refuse = refuse;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        IdleRelay.daemon(this::accept, "connect-proxy");
    }

    public String hostPort() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                IdleRelay.daemon(() -> tunnel(client), "connect-proxy-tunnel");
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void tunnel(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            String request = head(in);
            String first = request.lines().findFirst().orElse("");
            connects.add(first);
            OutputStream out = client.getOutputStream();
            String[] parts = first.split(" ");
            if (refuse || parts.length < 2 || !parts[0].equals("CONNECT")) {
                out.write("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                return;
            }
            int colon = parts[1].lastIndexOf(':');
            try (Socket server = new Socket(parts[1].substring(0, colon), Integer.parseInt(parts[1].substring(colon + 1)))) {
                out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                IdleRelay.daemon(() -> copy(in, server), "connect-proxy-up");
                server.getInputStream().transferTo(out);
            }
        } catch (IOException e) {
            // either side closed
        }
    }

    private static void copy(InputStream in, Socket to) {
        try {
            in.transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // either side closed
        }
    }

    /** The request head, byte by byte so that nothing of the tunnel is read here. */
    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int matched = 0;
        for (int c; matched < 4 && (c = in.read()) >= 0; ) {
            b.write(c);
            matched = (c == '\r' && (matched == 0 || matched == 2)) || (c == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
