package io.hostql.loggers.gelf;

import io.hostql.config.Settings;
import io.hostql.config.flags.LoggerFlags;
import io.hostql.events.LogLineEvent;
import io.hostql.loggers.HostIdentifier;
import io.hostql.loggers.delivery.Sink;
import io.hostql.loggers.net.AckedTcpStream;
import io.hostql.loggers.net.NetTarget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * Beyond osquery: result, snapshot and status lines to Graylog as GELF 1.1 over TCP (or TLS), each
 * message followed by a null byte, as Graylog's GELF TCP input reads them (TCP GELF is never
 * compressed or chunked).
 *
 * <p>GELF over TCP has no acknowledgement. "Delivered" here means: the batch was written and flushed,
 * the Graylog host's TCP acknowledged every byte of it, and the connection was still open after that
 * ({@link AckedTcpStream}); a Graylog that closes or resets the connection mid-batch makes the batch
 * be resent. What stays open: a Graylog process that dies with acknowledged bytes unread in its
 * socket buffer, or that drops a message it cannot parse (GELF gives no way to say so); such lines
 * are lost without anyone knowing, which a protocol with acknowledgements (Graylog's HTTP input, or
 * Kafka in front of Graylog) avoids.
 */
public final class GelfSink implements Sink {
    static final int DEFAULT_PORT = 12201; // Graylog's GELF inputs

    private final GelfFormat format;
    private final AckedTcpStream stream;

    GelfSink(AckedTcpStream stream, String hostname) {
        this.stream = stream;
        this.format = new GelfFormat(hostname);
    }

    /** From {@code --logger_gelf_target} (tcp://host:port or tls://host:port) and {@code --logger_gelf_tls_ca}. */
    public static Sink create(Settings s) {
        NetTarget target = NetTarget.parse("logger_gelf_target", s.get(LoggerFlags.LOGGER_GELF_TARGET).strip(), false, DEFAULT_PORT);
        return new GelfSink(new AckedTcpStream(target.host(), target.port(),
                target.trust("logger_gelf_tls_ca", s.get(LoggerFlags.LOGGER_GELF_TLS_CA).strip())),
                HostIdentifier.hostname());
    }

    @Override
    public String plugin() {
        return "gelf";
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
        ByteArrayOutputStream frames = new ByteArrayOutputStream(lines.size() * 800);
        for (LogLineEvent l : lines) {
            frames.write(format.message(l)); // JSON escapes control characters, so a message never holds a null byte
            frames.write(0);
        }
        stream.send(frames.toByteArray());
    }

    @Override
    public void close() {
        stream.close();
    }
}
