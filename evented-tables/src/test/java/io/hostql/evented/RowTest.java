package io.hostql.evented;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RowTest {
    static final Row.Layout LOSSES = Row.layout(EventedTables.EVENT_LOSSES);

    @Test
    void valuesLandInTheTablesColumnOrderAndUnsetOnesAreNull() {
        Row row = LOSSES.row().set(LOSSES.text("reason"), "IN_Q_OVERFLOW").set(LOSSES.integer("count"), 7).set(LOSSES.text("source"), "inotify");
        row.eid("0000000001");
        assertThat(row.table()).isSameAs(EventedTables.EVENT_LOSSES);
        // time, source, count, reason, capture_time_ns, eid, estimate
        assertThat(row.values()).containsExactly(null, "inotify", 7L, "IN_Q_OVERFLOW", null, "0000000001", null);
    }

    @Test
    void integersAreLongsBytesStayBytesAndANullLongIsNull() {
        Row.Layout file = Row.layout(EventedTables.FILE_EVENTS);
        byte[] path = "/etc/\u00e9".getBytes(StandardCharsets.UTF_8);
        Row row = file.row().set(file.text("target_path"), path).set(file.integer("hashed"), -1).set(file.integer("inode"), (Long) null);
        assertThat(row.values()[EventedTables.FILE_EVENTS.indexOf("target_path")]).isSameAs(path);
        assertThat(row.values()[EventedTables.FILE_EVENTS.indexOf("hashed")]).isEqualTo(-1L);
        assertThat(row.values()[EventedTables.FILE_EVENTS.indexOf("inode")]).isNull();
    }

    @Test
    void aNameTheTableDoesNotDeclareFailsWhenDeclaredNamingTableAndColumn() {
        assertThatThrownBy(() -> LOSSES.text("reasons")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("table hostql_event_losses declares no column reasons");
        assertThatThrownBy(() -> LOSSES.integer("source")).hasMessage("column hostql_event_losses.source is TEXT, not an integer");
        assertThatThrownBy(() -> LOSSES.text("count")).hasMessage("column hostql_event_losses.count is BIGINT, not TEXT");
    }

    @Test
    void aColumnOfAnotherTableIsRefused() {
        Row.Text action = Row.layout(EventedTables.FILE_EVENTS).text("action");
        assertThatThrownBy(() -> Row.layout(EventedTables.HARDWARE_EVENTS).row().set(action, "add"))
                .hasMessage("column file_events.action set in a row of hardware_events");
        // another layout of the same table is the same declaration
        assertThat(Row.layout(EventedTables.FILE_EVENTS).row().set(action, "CREATED").values()[2]).isEqualTo("CREATED");
    }

    @Test
    void aStatusTableHasNoEid() {
        assertThatThrownBy(() -> Row.layout(EventedTables.AUDIT_STATUS).row().eid("0000000001")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("hostql_audit_status has no eid column");
    }

    @Test
    void theStoreWritesARowAndReplacesAStatusRow(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Row.Layout status = Row.layout(EventedTables.AUDIT_STATUS);
        try (EventStore s = EventStore.open(dir.resolve("events.db"), EventedTables.all())) {
            s.commit("losses", new EventStore.Position(1, 1, 1), b -> {
                Row row = LOSSES.row().set(LOSSES.text("source"), "audit").set(LOSSES.integer("count"), 3).set(LOSSES.integer("estimate"), 0);
                row.eid("0000000001");
                b.insert(row);
            });
            s.replace(status.row().set(status.text("mode"), "owner").set(status.integer("records"), 1));
            s.replace(status.row().set(status.text("mode"), "multicast").set(status.integer("records"), 2));
            assertThat(s.query("SELECT source, count, estimate, eid, reason FROM hostql_event_losses").rows()).singleElement()
                    .satisfies(r -> assertThat(r).containsExactly("audit", 3L, 0L, "0000000001", null));
            assertThat(s.query("SELECT mode, records FROM hostql_audit_status").rows()).singleElement()
                    .satisfies(r -> assertThat(r).containsExactly("multicast", 2L));
        }
    }
}
