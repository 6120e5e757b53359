package io.hostql.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.config.Settings;
import io.hostql.config.osquery.ConfigLoader;
import io.hostql.config.osquery.OsqueryConfig;
import io.hostql.events.Journal;
import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.sql.table.TableSchema;
import io.hostql.subscribers.Subscriber;
import io.hostql.tables.self.DaemonState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registration table and the generic wiring: what the flags and the events section start, and osquery_events. */
class EventWiringTest {
    @TempDir
    Path tmp;

    @Test
    void everyRegisteredSubscriberIsAnEventedTableOfARegisteredPublisher() {
        EventSources all = EventSources.all();
        List<String> tables = EventedTables.all().stream().map(TableSchema::name).toList();
        for (EventSources.SubscriberEntry s : all.subscribers) {
            assertThat(tables).as(s.name()).contains(s.name());
            assertThat(all.publishers).as(s.name()).anyMatch(p -> p.name().equals(s.publisher()));
        }
    }

    @Test
    void theFlagsAndTheEventsSectionChooseWhatRunsAndOsqueryEventsShowsIt() throws Exception {
        Path watched = Files.createDirectories(tmp.resolve("w"));
        OsqueryConfig config = config("{\"file_paths\": {\"fim\": [\"" + watched + "/%%\"]},"
                + " \"events\": {\"disable_subscribers\": [\"hardware_events\"]}}");
        Settings settings = Settings.parse(new String[] {"--disable_audit"}, Map.of()).withOptions(config.options());
        try (Journal journal = Journal.open(tmp.resolve("journal"), List.of());
                EventStore store = EventStore.open(tmp.resolve("events.db"), EventedTables.all())) {
            List<Subscriber> subscribers = new ArrayList<>();
            EventWiring w = EventWiring.create(EventSources.all(), new EventSources.Context(settings, config, journal, store, tmp), subscribers);
            try {
                assertThat(subscribers).extracting(Subscriber::name).containsExactly("file_events");
                w.start();
                List<DaemonState.EventSource> rows = w.eventSources(subscribers);
                assertThat(rows).extracting(DaemonState.EventSource::name).containsExactly("inotify", "file_events");
                DaemonState.EventSource inotify = rows.get(0);
                assertThat(inotify.type()).isEqualTo("publisher");
                assertThat(inotify.active()).isTrue();
                assertThat(inotify.subscriptions()).isEqualTo(1);
                assertThat(rows.get(1).publisher()).isEqualTo("inotify");
                assertThat(w.publisher(io.hostql.publishers.audit.AuditPublisher.class)).isNull();
            } finally {
                w.close();
                for (Subscriber s : subscribers) s.close();
            }
            assertThat(w.eventSources(subscribers).get(0).active()).isFalse();
        }
    }

    @Test
    void disableEventsRunsNothing() throws Exception {
        OsqueryConfig config = config("{\"file_paths\": {\"fim\": [\"" + tmp + "/%%\"]}}");
        Settings settings = Settings.parse(new String[] {"--disable_events"}, Map.of()).withOptions(config.options());
        try (Journal journal = Journal.open(tmp.resolve("journal"), List.of());
                EventStore store = EventStore.open(tmp.resolve("events.db"), EventedTables.all())) {
            List<Subscriber> subscribers = new ArrayList<>();
            EventWiring w = EventWiring.create(EventSources.all(), new EventSources.Context(settings, config, journal, store, tmp), subscribers);
            assertThat(subscribers).isEmpty();
            assertThat(w.eventSources(subscribers)).isEmpty();
            w.close();
        }
    }

    private OsqueryConfig config(String json) throws Exception {
        Path f = tmp.resolve("osquery.conf");
        Files.writeString(f, json);
        return ConfigLoader.load(f);
    }
}
