package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hostql.loggers.FilesystemLogger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The syslog plugin over TLS (RFC 5425) to a real rsyslogd with its openssl driver, on certificates
 * made for the test by openssl: lines arrive when the collector's certificate is verified against the
 * given CA, and wait (one status line, nothing dropped) when it cannot be verified.
 */
class SyslogTlsEndToEndTest {
    @TempDir
    static Path shared;
    @TempDir
    Path tmp;
    static Rsyslog rsyslog;
    static Path ca, otherCa;

    static boolean osslDriver() {
        for (String dir : List.of("/usr/lib/x86_64-linux-gnu/rsyslog", "/usr/lib/aarch64-linux-gnu/rsyslog", "/usr/lib/rsyslog")) {
            if (Files.exists(Path.of(dir, "lmnsd_ossl.so"))) return true;
        }
        return false;
    }

    static void openssl(Path dir, String... args) throws Exception {
        Process p = new ProcessBuilder(List.of(args)).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new AssertionError("openssl failed: " + String.join(" ", args) + "\n" + out);
    }

    @BeforeAll
    static void startRsyslog() throws Exception {
        assumeTrue(Rsyslog.available() && osslDriver() && Files.isExecutable(Path.of("/usr/bin/openssl")),
                "needs rsyslogd with its openssl driver (rsyslog-openssl) and openssl (scripts/install-deps installs them)");
        Path d = Files.createDirectories(shared.resolve("pki"));
        openssl(d, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj",
                "/CN=hostql test CA");
        openssl(d, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.pem", "-days", "2",
                "-subj", "/CN=another CA");
        openssl(d, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
        Files.writeString(d.resolve("ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        openssl(d, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                "server.pem", "-days", "2", "-extfile", "ext");
        ca = d.resolve("ca.pem");
        otherCa = d.resolve("other.pem");
        rsyslog = Rsyslog.start(shared.resolve("rsyslog"), new Path[] {ca, d.resolve("server.pem"), d.resolve("server.key")});
    }

    @AfterAll
    static void stopRsyslog() throws Exception {
        if (rsyslog != null) rsyslog.close();
    }

    Path schedule(String name) throws Exception {
        return Files.writeString(tmp.resolve("hostql.conf"), """
                {"schedule": {"%s": {"query": "SELECT unix_time FROM time", "interval": 1, "removed": false}}}
                """.formatted(name));
    }

    @Test
    void linesArriveOverTlsVerifiedAgainstTheGivenCa() throws Exception {
        String name = "tls_rows";
        try (DaemonProcess d = DaemonProcess.start(schedule(name), tmp.resolve("data"), "--logger_plugin", "filesystem,syslog",
                "--logger_syslog_target", "tls://localhost:" + rsyslog.port, "--logger_syslog_tls_ca", ca.toString(), "--disable_events")) {
            Path results = d.logs.resolve(FilesystemLogger.RESULTS);
            waitFor(() -> SyslogEndToEndTest.fileLines(results, name).size() >= 3, 30, "lines produced");
            waitFor(() -> SyslogEndToEndTest.received(rsyslog.messages(), name).containsAll(SyslogEndToEndTest.fileLines(results, name)),
                    60, "every line at rsyslog over TLS");
            assertThat(rsyslog.messages()).filteredOn(m -> m.procid().equals(Long.toString(d.pid())))
                    .allSatisfy(m -> assertThat(m.program()).isEqualTo("hostqld"))
                    .anySatisfy(m -> assertThat(m.msgid()).isEqualTo("result"));
            assertThat(d.stop()).isZero();
        }
    }

    @Test
    void aCollectorWhoseCertificateCannotBeVerifiedGetsNothingAndOneStatusLine() throws Exception {
        String name = "untrusted_rows";
        try (DaemonProcess d = DaemonProcess.start(schedule(name), tmp.resolve("data"), "--logger_plugin", "filesystem,syslog",
                "--logger_syslog_target", "tls://localhost:" + rsyslog.port, "--logger_syslog_tls_ca", otherCa.toString(), "--disable_events")) {
            Path status = d.logs.resolve(StatusLog.FILE_NAME);
            waitFor(() -> {
                try {
                    return Files.readString(status).contains("logger syslog: cannot deliver to tls://localhost:" + rsyslog.port);
                } catch (java.io.IOException e) {
                    return false;
                }
            }, 30, "the status line saying the collector is not trusted");
            Thread.sleep(3000);
            assertThat(SyslogEndToEndTest.received(rsyslog.messages(), name)).isEmpty();
            String log = Files.readString(status);
            assertThat(SyslogEndToEndTest.occurrences(log, "logger syslog: cannot deliver to")).isEqualTo(1);
            assertThat(log).containsIgnoringCase("certificat");
            assertThat(d.stop()).isZero();
        }
    }
}
