package io.hostql.publishers.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.AuditRecordsEvent;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.events.LossEvent;
import io.hostql.events.ProcessEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An exec with megabytes of arguments ({@code exec /bin/true $(seq 1 200000)}: 3.4 MB of EXECVE records) through the reader
 * into a real journal. Such a group used to reach Chronicle whole, fail as "writing failed" and degrade the journal as if the
 * disk had failed, and the exec was lost. Now it is kept, cut to one journal record, flagged and counted.
 */
class HugeExecTest {
    /** The kernel ends an EXECVE record near this many bytes of arguments (MAX_EXECVE_AUDIT_LEN) and starts the next. */
    private static final int EXECVE_RECORD = 7500;
    private static final String STAMP = "audit(1700000000.123:42): ";

    @TempDir
    Path dir;

    @Test
    void anExecTooBigForOneJournalRecordIsKeptTruncatedAndCountedWithoutDegradingTheJournal() {
        int argc = 200_001;
        try (Journal journal = Journal.open(dir)) {
            AuditPublisher p = new AuditPublisher(new AuditPublisher.Config(AuditPublisher.Mode.OWNER, true, true, false, false, false, 8192,
                    0, dir.resolve("audit-state")), journal);
            feed(p, 1300, "arch=c000003e syscall=59 success=yes exit=0 a0=55d1 a1=55d2 a2=55d3 a3=0 items=2 ppid=100 pid=101 auid=1000"
                    + " uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm=\"true\" exe=\"/usr/bin/true\" key=\"hostql\"");
            int records = 0, bytes = 0;
            StringBuilder r = new StringBuilder("argc=" + argc + " a0=\"/bin/true\"");
            for (int i = 1; i < argc; i++) {
                String arg = " a" + i + "=\"" + i + "\"";
                if (r.length() + arg.length() > EXECVE_RECORD) {
                    feed(p, 1309, r.toString());
                    records++;
                    bytes += r.length();
                    r.setLength(0);
                }
                r.append(arg);
            }
            feed(p, 1309, r.toString());
            bytes += r.length();
            assertThat(bytes).as("more than one journal record holds").isGreaterThan(3 * Journal.MAX_EVENT_BYTES);
            feed(p, 1307, "cwd=\"/home/user/build\"");
            feed(p, 1302, "item=0 name=\"/bin/true\" inode=1234 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL");
            feed(p, 1302, "item=1 name=\"/lib64/ld-linux-x86-64.so.2\" inode=99 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL");
            feed(p, 1327, "proctitle=2F62696E2F7472756500310032");
            feed(p, 1320, "");

            assertThat(journal.storageStatus().degraded()).as(journal.storageStatus().toString()).isFalse();
            List<JournalEntry> entries = new ArrayList<>();
            try (Journal.Reader reader = journal.reader()) {
                for (JournalEntry e; (e = reader.next()) != null; ) entries.add(e);
            }
            AuditRecordsEvent raw = entries.stream().map(JournalEntry::event).filter(AuditRecordsEvent.class::isInstance)
                    .map(AuditRecordsEvent.class::cast).findFirst().orElseThrow();
            assertThat(raw.truncated()).isTrue();
            assertThat(raw.complete()).isTrue();
            assertThat(raw.records().length).isLessThanOrEqualTo(AuditRecordsEvent.MAX_RECORDS_BYTES);

            ProcessEvent e = (ProcessEvent) AuditDecoder.syscall(raw);
            assertThat(e.syscall()).isEqualTo("execve");
            assertThat(e.pid()).isEqualTo(101);
            assertThat(e.ppid()).isEqualTo(100);
            assertThat(e.argc()).isEqualTo(argc);
            assertThat(e.argv().length).isBetween(10_000, argc - 1); // the first arguments, in order, without a gap
            for (int i = 1; i < e.argv().length; i++) assertThat(new String(e.argv()[i], StandardCharsets.UTF_8)).isEqualTo(Integer.toString(i));
            String cmdline = new String(e.cmdline(), StandardCharsets.UTF_8);
            assertThat(cmdline).startsWith("/bin/true 1 2 3 ");
            assertThat(new String(e.cwd(), StandardCharsets.UTF_8)).isEqualTo("/home/user/build"); // the records after the arguments kept
            assertThat(e.mode()).isEqualTo(0100755);
            assertThat(e.flags() & ProcessEvent.ARGV_FROM_PROCTITLE).isZero();

            List<LossEvent> losses = entries.stream().map(JournalEntry::event).filter(LossEvent.class::isInstance).map(LossEvent.class::cast)
                    .filter(l -> l.source().equals(AuditPublisher.SOURCE)).toList();
            assertThat(losses).hasSize(1);
            assertThat(losses.get(0).count()).isEqualTo(1);
            assertThat(losses.get(0).reason()).contains("bytes of arguments of 1 execve event cut at the journal's limit of "
                    + Journal.MAX_EVENT_BYTES + " bytes per record");
            long cut = Long.parseLong(losses.get(0).reason().substring(0, losses.get(0).reason().indexOf(' ')));
            long[] kept = {0};
            raw.forEach((type, stamped, b, off, len) -> {
                if (type == EventBuilder.EXECVE) kept[0] += len;
            });
            // each record is kept or counted with the space after its stamp
            assertThat(kept[0] + cut).as("EXECVE bytes kept and cut").isEqualTo(bytes + records + 1);
        }
    }

    private static void feed(AuditPublisher p, int type, String body) {
        p.record(type, (STAMP + body + "\n\0").getBytes(StandardCharsets.ISO_8859_1));
    }
}
