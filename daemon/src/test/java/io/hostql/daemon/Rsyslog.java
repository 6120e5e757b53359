package io.hostql.daemon;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real rsyslogd (Debian's package) for the logger tests, with its own config: a Unix datagram socket
 * in a temporary directory instead of /dev/log, imtcp on a free loopback port, and every message
 * written to one file as {@code facility|severity|programname|procid|msgid|msg}.
 */
final class Rsyslog implements AutoCloseable {
    static final Path RSYSLOGD = Path.of("/usr/sbin/rsyslogd");

    /** One received message. */
    record Message(int facility, int severity, String program, String procid, String msgid, String msg) {}

    final Path dir, socket, output, config, pidfile;
    final int port;
    private Process process;

    private Rsyslog(Path dir, int port) {
        this.dir = dir;
        this.port = port;
        this.socket = dir.resolve("log");
        this.output = dir.resolve("received.log");
        this.config = dir.resolve("rsyslog.conf");
        this.pidfile = dir.resolve("rsyslogd.pid");
    }

    static boolean available() {
        return Files.isExecutable(RSYSLOGD);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Rsyslog start(Path dir) throws Exception {
        return start(dir, null);
    }

    /** With tls (CA, certificate and key PEM files) the TCP input speaks TLS (RFC 5425, rsyslog's ossl driver). */
    static Rsyslog start(Path dir, Path[] tls) throws Exception {
        // The free port is closed again before rsyslogd binds it: another process may take it meanwhile. Then rsyslogd
        // runs without its TCP input; a new port is tried.
        AssertionError notListening = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            Rsyslog r = configure(dir, tls, freePort());
            try {
                r.start();
                return r;
            } catch (AssertionError e) {
                r.stop();
                notListening = e;
            }
        }
        throw notListening;
    }

    private static Rsyslog configure(Path dir, Path[] tls, int port) throws IOException {
        Files.createDirectories(dir);
        Rsyslog r = new Rsyslog(dir, port);
        String driver = tls == null ? "" : " streamDriver.name=\"ossl\" streamDriver.mode=\"1\" streamDriver.authMode=\"anon\"";
        String certs = tls == null ? "" : " DefaultNetstreamDriverCAFile=\"" + tls[0] + "\" DefaultNetstreamDriverCertFile=\"" + tls[1]
                + "\" DefaultNetstreamDriverKeyFile=\"" + tls[2] + "\"";
        Files.writeString(r.config, """
                global(workDirectory="%s" maxMessageSize="64k"%s)
                module(load="imuxsock" SysSock.Use="off")
                input(type="imuxsock" Socket="%s" RateLimit.Interval="0")
                module(load="imtcp")
                input(type="imtcp" address="127.0.0.1" port="%d"%s)
                template(name="fields" type="string" string="%%syslogfacility%%|%%syslogseverity%%|%%programname%%|%%procid%%|%%msgid%%|%%msg%%\\n")
                *.* action(type="omfile" file="%s" template="fields")
                """.formatted(dir, certs, r.socket, r.port, driver, r.output));
        return r;
    }

    /** Starts rsyslogd (unless it runs) and waits until both inputs listen. */
    void start() throws Exception {
        if (process != null && process.isAlive()) return; // one rsyslogd per instance: a second would be left running
        process = new ProcessBuilder(RSYSLOGD.toString(), "-n", "-f", config.toString(), "-i", pidfile.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("rsyslogd.out").toFile()).start();
        DaemonProcess.waitFor(() -> Files.exists(socket) && listening() || !process.isAlive(), 20, "rsyslogd to listen");
        if (!process.isAlive()) throw new AssertionError("rsyslogd exited: " + Files.readString(dir.resolve("rsyslogd.out")));
    }

    private boolean listening() {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM, and wait until it is gone (imuxsock removes its socket). */
    void stop() throws Exception {
        if (process == null || !process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(socket);
    }

    List<Message> messages() {
        List<Message> out = new ArrayList<>();
        try {
            if (!Files.exists(output)) return out;
            for (String l : Files.readAllLines(output, StandardCharsets.UTF_8)) {
                String[] f = l.split("\\|", 6);
                if (f.length < 6) continue;
                out.add(new Message(Integer.parseInt(f[0]), Integer.parseInt(f[1]), f[2], f[3], f[4], f[5].strip()));
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
