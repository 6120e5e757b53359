package io.hostql.loggers.stdout;

import io.hostql.events.LogLineEvent;
import io.hostql.loggers.delivery.Sink;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * osquery's stdout logger: each result, snapshot and status line as one JSON line on standard output
 * (for containers and systemd's journal). Status lines are osquery's JSON status form, so every line
 * on stdout parses as JSON. Written straight to file descriptor 1, not System.out, whose PrintStream
 * hides write errors; "delivered" means the write to the pipe or file returned. It goes through the
 * outbox like the remote plugins, so a reader that stops reading the pipe stalls only this plugin.
 */
public final class StdoutSink implements Sink {
    private final OutputStream out;

    public StdoutSink() {
        this(new FileOutputStream(FileDescriptor.out));
    }

    StdoutSink(OutputStream out) {
        this.out = new BufferedOutputStream(out, 1 << 16);
    }

    @Override
    public String plugin() {
        return "stdout";
    }

    @Override
    public String target() {
        return "stdout";
    }

    @Override
    public boolean takesStatus() {
        return true;
    }

    @Override
    public void deliver(List<LogLineEvent> lines, Refused refused) throws IOException {
        for (LogLineEvent l : lines) {
            out.write(l.line());
            out.write('\n');
        }
        out.flush();
    }

    @Override
    public void close() {
        // standard output stays open for the process
    }
}
