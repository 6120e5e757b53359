package io.hostql.subscribers.audit;

import static io.hostql.subscribers.audit.FileActivityTest.args;
import static io.hostql.subscribers.audit.FileActivityTest.ev;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.evented.EventedTables;
import io.hostql.evented.Row;
import io.hostql.events.FileSyscallEvent;
import io.hostql.sql.table.Column;
import io.hostql.subscribers.audit.FileActivity.Activity;
import io.hostql.subscribers.audit.FileActivity.Operation;
import io.hostql.subscribers.audit.ProcessFileEventsSubscriber.Options;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** process_file_events' rows: the columns, the path filter and osquery's two hidden flags. No kernel. */
class ProcessFileEventsRowsTest {
    static final Options DEFAULTS = new Options(false, false, false);
    static final Predicate<byte[]> UNDER_SRV_W = p -> new String(p, StandardCharsets.UTF_8).startsWith("/srv/w/");

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Object value(Row row, String column) {
        List<Column> cols = EventedTables.PROCESS_FILE_EVENTS.columns();
        for (int i = 0; i < cols.size(); i++) {
            if (!cols.get(i).name().equals(column)) continue;
            Object v = row.values()[i];
            return v instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : v;
        }
        throw new IllegalArgumentException(column);
    }

    @Test
    void theSchemaIsOsquerysThenHostqls() {
        // osquery's specs/linux/process_file_events.table (reference/osquery-linux-tables.tsv), in its order
        String osquery = "operation:TEXT, pid:BIGINT, ppid:BIGINT, time:BIGINT, executable:TEXT, partial:TEXT, cwd:TEXT, path:TEXT,"
                + " dest_path:TEXT, uid:TEXT, gid:TEXT, auid:TEXT, euid:TEXT, egid:TEXT, fsuid:TEXT, fsgid:TEXT, suid:TEXT, sgid:TEXT,"
                + " uptime:BIGINT, eid:TEXT";
        List<Column> cols = EventedTables.PROCESS_FILE_EVENTS.columns();
        List<String> ours = cols.stream().map(c -> c.name() + ":" + c.type()).toList();
        assertThat(ours.subList(0, 20)).containsExactlyElementsOf(Arrays.stream(osquery.split(", ")).toList());
        assertThat(ours.subList(20, ours.size())).containsExactly("event_time_ms:BIGINT", "audit_serial:BIGINT", "syscall:TEXT");
        assertThat(cols.get(3).options().toString()).contains("ADDITIONAL");
        assertThat(cols.get(19).options().toString()).contains("HIDDEN");
        assertThat(EventedTables.all()).contains(EventedTables.PROCESS_FILE_EVENTS);
    }

    @Test
    void aWriteUnderTheWatchedPathIsARowWithEveryColumn() {
        FileSyscallEvent e = ev(42, "write", 6, args(3), "/srv/w");
        Row row = ProcessFileEventsSubscriber.row(e, new Activity(Operation.WRITE, b("/srv/w/a"), null, false), DEFAULTS, UNDER_SRV_W,
                1699990000L);
        assertThat(value(row, "operation")).isEqualTo("write");
        assertThat(value(row, "pid")).isEqualTo(42L);
        assertThat(value(row, "ppid")).isEqualTo(1L);
        assertThat(value(row, "executable")).isEqualTo("/usr/bin/python3");
        assertThat(value(row, "partial")).isEqualTo("false");
        assertThat(value(row, "cwd")).isEqualTo("/srv/w");
        assertThat(value(row, "path")).isEqualTo("/srv/w/a");
        assertThat(value(row, "dest_path")).isNull();
        assertThat(value(row, "auid")).isEqualTo("1000");
        for (String id : List.of("uid", "gid", "euid", "egid", "fsuid", "fsgid", "suid", "sgid")) assertThat(value(row, id)).as(id).isEqualTo("0");
        assertThat(value(row, "time")).isEqualTo(0L);
        assertThat(value(row, "uptime")).isEqualTo(10000L);
        assertThat(value(row, "event_time_ms")).isEqualTo(1700000000250L);
        assertThat(value(row, "audit_serial")).isEqualTo(1L);
        assertThat(value(row, "syscall")).isEqualTo("write");
    }

    @Test
    void pathsOutsideTheFilterAreNotRowsUnlessTheDestinationIsInside() {
        FileSyscallEvent e = ev(42, "rename", 0, args(1, 2), "/tmp");
        assertThat(ProcessFileEventsSubscriber.row(e, new Activity(Operation.WRITE, b("/tmp/a"), null, false), DEFAULTS, UNDER_SRV_W, 0)).isNull();
        Row in = ProcessFileEventsSubscriber.row(e, new Activity(Operation.RENAME, b("/tmp/a"), b("/srv/w/a"), false), DEFAULTS, UNDER_SRV_W, 0);
        assertThat(value(in, "dest_path")).isEqualTo("/srv/w/a");
        assertThat(value(in, "uptime")).as("boot time unknown").isNull();
        assertThat(ProcessFileEventsSubscriber.row(e, new Activity(Operation.RENAME, b("/srv/w/a"), b("/tmp/a"), false), DEFAULTS, UNDER_SRV_W, 0))
                .as("moved out").isNotNull();
    }

    @Test
    void accessesAndPartialEventsOnlyWithTheirFlags() {
        FileSyscallEvent e = ev(42, "read", 6, args(3), null);
        for (Operation access : List.of(Operation.OPEN, Operation.READ, Operation.CLOSE)) {
            Activity a = new Activity(access, b("/srv/w/a"), null, false);
            assertThat(ProcessFileEventsSubscriber.row(e, a, DEFAULTS, UNDER_SRV_W, 0)).as(access.text).isNull();
            assertThat(value(ProcessFileEventsSubscriber.row(e, a, new Options(true, false, false), UNDER_SRV_W, 0), "operation"))
                    .isEqualTo(access.text);
        }
        Activity partial = new Activity(Operation.UNLINK, b("/srv/w/a"), null, true);
        assertThat(ProcessFileEventsSubscriber.row(e, partial, DEFAULTS, UNDER_SRV_W, 0)).isNull();
        assertThat(value(ProcessFileEventsSubscriber.row(e, partial, new Options(false, true, false), UNDER_SRV_W, 0), "partial")).isEqualTo("true");
        assertThat(value(ProcessFileEventsSubscriber.row(e, new Activity(Operation.WRITE, b("/srv/w/a"), null, false), DEFAULTS, UNDER_SRV_W, 0),
                "cwd")).as("no CWD record: empty, as osquery").isEqualTo("");
    }
}
