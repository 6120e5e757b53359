package io.hostql.loggers.syslog;

import io.hostql.events.LogLineEvent;
import io.hostql.loggers.delivery.Sink;
import io.hostql.loggers.net.AckedTcpStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * Beyond osquery: RFC 5424 messages to a remote collector over TCP, octet-counted (RFC 6587:
 * {@code LEN SP MSG}, so a line may hold any byte), or inside TLS (RFC 5425). A batch counts as
 * delivered when the collector's TCP has acknowledged every byte of it and the connection is still
 * open ({@link AckedTcpStream} says what that leaves open).
 */
final class SyslogTcpSink implements Sink {
    private final SyslogFormat format;
    private final AckedTcpStream stream;

    /** tls null: plain TCP. */
    SyslogTcpSink(String host, int port, SyslogFormat format, SSLContext tls) {
        this.format = format;
        this.stream = new AckedTcpStream(host, port, tls);
    }

    @Override
    public String plugin() {
        return "syslog";
    }

    @Override
    public String target() {
        return stream.target();
    }

    @Override
    public boolean takesStatus() {
        return true;
    }

    @Override
    public void deliver(List<LogLineEvent> lines, Refused refused) throws IOException {
        long now = System.currentTimeMillis();
        ByteArrayOutputStream frames = new ByteArrayOutputStream(lines.size() * 400);
        for (LogLineEvent l : lines) {
            byte[] m = format.rfc5424(l, now);
            frames.write((m.length + " ").getBytes(StandardCharsets.US_ASCII));
            frames.write(m);
        }
        stream.send(frames.toByteArray());
    }

    @Override
    public void close() {
        stream.close();
    }
}
