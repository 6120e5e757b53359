package io.hostql.publishers.syslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hostql.events.LossEvent;
import io.hostql.events.SyslogEvent;
import io.hostql.publishers.RecordedEvents;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipe and its lines, with no rsyslog (the daemon's SyslogEventsEndToEndTest has the real one). */
class SyslogPublisherTest {
    @TempDir
    Path tmp;

    @Test
    void thePipeModeBitsAreTheModeText() {
        assertThat(SyslogPublisher.modeBits("r--rw----")).isEqualTo(0460); // osquery's, as root
        assertThat(SyslogPublisher.modeBits("rw-rw----")).isEqualTo(0660);
        assertThat(SyslogPublisher.modeBits("rwxr-x--x")).isEqualTo(0751);
    }

    @Test
    void csvFieldsAsRsyslogQuotesThem() {
        assertThat(SyslogCsv.parse("\"2026-12-06T21:00:00+00:00\",\"host\",\"5\",\"user\",\"sshd[12]:\",\" a, \"\"quoted\"\" one \""))
                .containsExactly("2026-12-06T21:00:00+00:00", "host", "5", "user", "sshd[12]", "a, \"quoted\" one");
        assertThat(SyslogCsv.parse("t,h,1,kern,kernel:,")).containsExactly("t", "h", "1", "kern", "kernel", "");
        assertThatThrownBy(() -> SyslogCsv.parse("t,h,1,kern,kernel")).hasMessageContaining("expected 6 CSV fields").hasMessageContaining("got 5");
        assertThatThrownBy(() -> SyslogCsv.parse("t,h,1,kern,k,m,extra")).hasMessageContaining("got 7");
        assertThatThrownBy(() -> SyslogCsv.parse("t,h,1,kern,k,\"open")).hasMessageContaining("not closed");
    }

    @Test
    void linesBecomeEventsAtTheRateLimitAndBadOnesALossRecord() throws Exception {
        Path pipe = tmp.resolve("dir").resolve("pipe");
        RecordedEvents sink = new RecordedEvents();
        try (SyslogPublisher p = new SyslogPublisher(pipe, 10, sink)) {
            p.start();
            assertThat((Integer) Files.getAttribute(pipe, "unix:mode") & 0170777).as("a FIFO, mode 0460 (0660 for a user)").isEqualTo(io.hostql.os.Libc.geteuid() == 0 ? 0010460 : 0010660);
            StringBuilder lines = new StringBuilder("garbage\n");
            for (int i = 0; i < 30; i++) lines.append("t,h,6,daemon,tag:,line ").append(i).append('\n');
            lines.append("x".repeat(SyslogPublisher.MAX_LINE + 10)).append("\nt,h,6,daemon,tag:,after the long line\n");
            long started = System.nanoTime();
            write(pipe, lines.toString());
            sink.await("the line after the long one", SyslogEvent.class, e -> e.message().equals("after the long line"), 5000);
            // 31 lines at 10 per 200 ms run: at least three runs.
            assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(3 * SyslogPublisher.RUN_NANOS);
            assertThat(sink.of(SyslogEvent.class, e -> true)).hasSize(31);
            assertThat(sink.of(SyslogEvent.class, e -> true).get(29).message()).isEqualTo("line 29");
            assertThat(p.malformed()).isEqualTo(2);
            sink.await("the loss record", LossEvent.class, l -> l.source().equals("syslog"), 5000);
        }
        assertThat(sink.of(LossEvent.class, l -> true).stream().mapToLong(LossEvent::count).sum()).isEqualTo(2);
    }

    @Test
    void linesAlreadyReadOutOfThePipeAreNotLostAtClose() throws Exception {
        Path pipe = tmp.resolve("pipe");
        RecordedEvents sink = new RecordedEvents();
        try (SyslogPublisher p = new SyslogPublisher(pipe, 1, sink)) {
            p.start();
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 30; i++) lines.append("t,h,6,daemon,tag:,line ").append(i).append('\n');
            write(pipe, lines.toString()); // one write, read in one chunk; one line per 200 ms run from there
            sink.await("the first line", SyslogEvent.class, e -> true, 5000);
        }
        assertThat(sink.of(SyslogEvent.class, e -> true)).hasSize(30);
    }

    @Test
    void aSecondReaderOfThePipeIsRefusedAndAFileIsNoPipe() throws Exception {
        Path pipe = tmp.resolve("pipe");
        try (SyslogPublisher first = new SyslogPublisher(pipe, 100, new RecordedEvents());
                SyslogPublisher second = new SyslogPublisher(pipe, 100, new RecordedEvents())) {
            first.start();
            assertThatThrownBy(second::start).isInstanceOf(IOException.class).hasMessageContaining("cannot lock the pipe");
        }
        Path file = Files.writeString(tmp.resolve("file"), "");
        try (SyslogPublisher p = new SyslogPublisher(file, 100, new RecordedEvents())) {
            assertThatThrownBy(p::start).isInstanceOf(IOException.class).hasMessageContaining("is not a named pipe");
        }
    }

    private static void write(Path pipe, String text) throws IOException {
        try (OutputStream out = Files.newOutputStream(pipe, StandardOpenOption.WRITE)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
