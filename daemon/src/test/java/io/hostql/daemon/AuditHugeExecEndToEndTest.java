package io.hostql.daemon;

import static io.hostql.daemon.AuditEndToEndTest.config;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.Journal;
import io.hostql.publishers.audit.AuditWitness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An exec with 1.5 MB of EXECVE records (90,000 arguments, what ARG_MAX lets through) on the real kernel: more than one
 * journal record holds. It used to degrade the journal as a storage fault and lose the exec; now it is a process_events row
 * with the first arguments, overflows 'cmdline', and a loss record says how much was cut. (A daemon of its own: the cut is
 * a loss record, which AuditEndToEndTest checks there is none of.)
 */
class AuditHugeExecEndToEndTest {
    @TempDir
    static Path tmp;
    static OwnerModeDaemon owner;
    static DaemonProcess daemon;

    @BeforeAll
    static void start() throws Exception {
        owner = OwnerModeDaemon.start(config(tmp, "\"disable_audit\": false, \"audit_mode\": \"owner\""), tmp.resolve("data"));
        daemon = owner.daemon();
    }

    @AfterAll
    static void stop() throws Exception {
        if (owner != null) owner.stop();
    }

    @Test
    void anExecWithMegabytesOfArgumentsIsARowWithItsFirstArgumentsAndTheJournalStaysHealthy() throws Exception {
        String marker = "hostql-" + UUID.randomUUID();
        // each of the 90,000 arguments is ' aN="1xxxxx"' in its EXECVE record: about 1.5 MB, over the journal's 1 MiB record
        AuditWitness.run("/bin/bash", "-c", "exec /bin/true " + marker + " $(seq 100001 190000)");
        String where = " FROM process_events WHERE cmdline LIKE '/bin/true " + marker + " 100001 100002 %'";
        DaemonProcess.waitFor(() -> !owner.rows("SELECT 1" + where).isEmpty(), 10, "the huge exec's process_events row");
        Object[] row = owner.rows("SELECT syscall, pid, overflows, length(cmdline), cmdline_size, cwd, mode" + where).get(0);
        assertThat(row[0]).isEqualTo("execve");
        assertThat((Long) row[1]).isPositive();
        assertThat(row[2]).isEqualTo("cmdline");
        long full = ("/bin/true " + marker).length() + 90_000L * 7;
        assertThat((Long) row[3]).isBetween(100_000L, full - 1).isEqualTo(row[4]);
        assertThat(AuditEndToEndTest.text(row[5])).isEqualTo(Path.of("").toAbsolutePath().toString());
        assertThat(row[6]).isEqualTo("0100755");

        String lossesSql = "SELECT count, reason FROM hostql_event_losses WHERE source = 'audit'";
        DaemonProcess.waitFor(() -> !owner.rows(lossesSql).isEmpty(), 10, "the loss record of the cut");
        List<Object[]> losses = owner.rows(lossesSql);
        assertThat(losses).hasSize(1);
        assertThat(losses.get(0)[0]).isEqualTo(1L);
        assertThat((String) losses.get(0)[1]).contains("bytes of arguments of 1 execve event cut at the journal's limit of "
                + Journal.MAX_EVENT_BYTES + " bytes per record");
        Path status = daemon.data.resolve("hostqld.status");
        DaemonProcess.waitFor(() -> read(status).contains("journal:"), 10, "hostqld.status");
        assertThat(read(status)).contains("journal: ok").doesNotContain("DEGRADED");
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
