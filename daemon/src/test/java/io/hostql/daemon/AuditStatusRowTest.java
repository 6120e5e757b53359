package io.hostql.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.publishers.audit.AuditPublisher;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hostql_audit_status's row from the publisher's counters, each under its column (no kernel audit needed). */
class AuditStatusRowTest {
    @Test
    void everyCounterLandsUnderItsName(@TempDir Path dir) {
        AuditPublisher.Stats s = new AuditPublisher.Stats("owner", 41, 1, 8192, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
        try (EventStore store = EventStore.open(dir.resolve("events.db"), EventedTables.all())) {
            store.replace(AuditStatusRow.of(s, 1_765_000_000L));
            store.replace(AuditStatusRow.of(s, 1_765_000_005L));
            var r = store.query("SELECT * FROM hostql_audit_status");
            assertThat(r.rows()).hasSize(1);
            assertThat(r.columns()).containsExactly("time", "hostqld_pid", "mode", "owner_pid", "enabled", "backlog_limit", "backlog_wait_time",
                    "backlog", "kernel_lost_at_start", "kernel_lost", "records", "process_events", "socket_events", "user_events", "incomplete",
                    "serial_gap_events", "enobufs", "ignored_own", "malformed", "receive_buffer");
            assertThat(r.rows().get(0)).containsExactly(1_765_000_005L, ProcessHandle.current().pid(), "owner", 41L, 1L, 8192L, 3L, 4L, 5L, 6L, 7L,
                    8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L);
        }
    }
}
