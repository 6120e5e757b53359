package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * syslog_events from a real rsyslogd: a private instance (its own config, pid file and imuxsock socket) given
 * the rsyslog snippet of docs/syslog.md, fed by logger(1). hostqld creates the pipe with osquery's mode; the
 * message arrives with its commas and quotes; rsyslog restarting is survived; a line not in osquery's
 * format is a counted loss and the next line still arrives.
 */
class SyslogEventsEndToEndTest {
    private static final Path DOC = Path.of("..", "docs", "syslog.md");

    @TempDir
    Path tmp;

    DaemonProcess daemon;
    Process rsyslogd;

    @AfterEach
    void tearDown() throws Exception {
        stopRsyslog();
        if (daemon != null) daemon.close();
    }

    @Test
    void rsyslogWritesThePipeAndHostqldFillsSyslogEvents() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/rsyslogd")) && Files.isExecutable(Path.of("/usr/bin/logger")),
                "needs rsyslogd and logger (scripts/install-deps installs rsyslog)");
        Path pipe = tmp.resolve("run").resolve("syslog_pipe");
        daemon = DaemonProcess.start(Files.writeString(tmp.resolve("hostql.conf"), "{}"), tmp.resolve("data"),
                "--disable_audit", "--enable_syslog", "--syslog_pipe_path", pipe.toString());
        assertThat((Integer) Files.getAttribute(pipe, "unix:mode") & 0170777).as("a FIFO, mode 0460 (0660 for a user)").isEqualTo(io.hostql.os.Libc.geteuid() == 0 ? 0010460 : 0010660);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pipe))).isEqualTo(io.hostql.os.Libc.geteuid() == 0 ? "r--rw----" : "rw-rw----");

        Path socket = tmp.resolve("log.sock");
        startRsyslog(pipe, socket);
        logger(socket, "hostqltest", "first, with \"quotes\"");
        DaemonProcess.waitFor(() -> rows("hostqltest").size() == 1, 15, "the first message in syslog_events");
        Object[] row = rows("hostqltest").get(0);
        assertThat(row[0]).isEqualTo("first, with \"quotes\"");
        assertThat(row[1]).isEqualTo(5L); // logger's default priority: user.notice
        assertThat(row[2]).isEqualTo("user");
        assertThat((String) row[3]).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d.*");
        assertThat((String) row[4]).isNotEmpty();
        assertThat((Long) row[5]).isBetween(System.currentTimeMillis() / 1000 - 60, System.currentTimeMillis() / 1000 + 1);

        // rsyslog restarts: its pipe writer closes, and the next one's lines still arrive.
        stopRsyslog();
        startRsyslog(pipe, socket);
        logger(socket, "hostqltest", "after the restart");
        DaemonProcess.waitFor(() -> rows("hostqltest").size() == 2, 15, "the message sent after rsyslog restarted");

        // A line in another format: counted lost, and reading goes on.
        stopRsyslog();
        Files.write(pipe, "not osquery's format\n2026-12-06T21:00:00+00:00,h,3,daemon,direct:,written by the test\n"
                .getBytes(StandardCharsets.UTF_8), StandardOpenOption.WRITE);
        DaemonProcess.waitFor(() -> rows("direct").size() == 1, 15, "the line after the malformed one");
        assertThat(rows("direct").get(0)).containsExactly("written by the test", 3L, "daemon", "2026-12-06T21:00:00+00:00", "h",
                rows("direct").get(0)[5]);
        DaemonProcess.waitFor(() -> !query(daemon.data, "SELECT count FROM hostql_event_losses WHERE source = 'syslog'").rows().isEmpty(),
                15, "the loss record of the malformed line");
        assertThat(query(daemon.data, "SELECT count FROM hostql_event_losses WHERE source = 'syslog'").rows().get(0)[0]).isEqualTo(1L);
        assertThat(daemon.output()).contains("is not in osquery's CSV format");
    }

    private List<Object[]> rows(String tag) {
        return query(daemon.data, "SELECT message, severity, facility, datetime, host, time FROM syslog_events WHERE tag = '" + tag
                + "' ORDER BY eid").rows();
    }

    /** docs/syslog.md's rsyslog snippet, with the test's pipe, behind a private imuxsock socket. */
    private void startRsyslog(Path pipe, Path socket) throws Exception {
        Matcher m = Pattern.compile("```rsyslog\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(DOC));
        assertThat(m.find()).as("the rsyslog snippet in " + DOC).isTrue();
        String snippet = m.group(1).replace("/var/lib/hostql/syslog_pipe", pipe.toString());
        assertThat(snippet).contains(pipe.toString());
        Path work = Files.createDirectories(tmp.resolve("rsyslog"));
        Path conf = Files.writeString(tmp.resolve("rsyslog.conf"), "global(workDirectory=\"" + work + "\")\n"
                + "module(load=\"imuxsock\" SysSock.Use=\"off\")\n"
                + "input(type=\"imuxsock\" Socket=\"" + socket + "\" RateLimit.Interval=\"0\")\n" + snippet);
        Files.deleteIfExists(socket);
        rsyslogd = new ProcessBuilder("/usr/sbin/rsyslogd", "-n", "-f", conf.toString(), "-i", tmp.resolve("rsyslogd.pid").toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("rsyslogd.out").toFile()).start();
        DaemonProcess.waitFor(() -> Files.exists(socket) || !rsyslogd.isAlive(), 15, "rsyslogd's socket");
        assertThat(rsyslogd.isAlive()).as("rsyslogd runs: " + Files.readString(tmp.resolve("rsyslogd.out"))).isTrue();
    }

    private void stopRsyslog() throws Exception {
        if (rsyslogd == null) return;
        rsyslogd.destroy();
        if (!rsyslogd.waitFor(10, TimeUnit.SECONDS)) rsyslogd.destroyForcibly().waitFor();
        rsyslogd = null;
    }

    private static void logger(Path socket, String tag, String message) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/logger", "-u", socket.toString(), "-t", tag, message).redirectErrorStream(true).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
    }
}
