package io.hostql.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The count behind a degraded period's one loss record, without a full disk (that: {@link JournalStorageFaultTest}). */
class BlindPeriodTest {
    private static final long SINCE = Instant.parse("2026-01-02T03:04:05Z").toEpochMilli();

    @Test
    void countsEachDroppedEventByTypeWithTheSpanOfTheirCaptureTimes() {
        BlindPeriod p = new BlindPeriod();
        assertThat(p.open()).isFalse();
        assertThat(p.status()).isEqualTo(StorageStatus.HEALTHY);
        assertThat(p.start("the file system is full", SINCE)).isTrue();
        assertThat(p.start("another reason", SINCE + 1)).as("the first reason stays").isFalse();
        long first = Instant.parse("2026-01-02T03:04:06Z").toEpochMilli() * 1_000_000L;
        for (int i = 0; i < 3; i++) p.drop(EventType.FILE, first + i);
        p.drop(EventType.PROCESS, first + 1_000_000_000L);

        StorageStatus s = p.status();
        assertThat(s.degraded()).isTrue();
        assertThat(s.reason()).isEqualTo("the file system is full");
        assertThat(s.sinceMillis()).isEqualTo(SINCE);
        assertThat(s.dropped()).isEqualTo(4);
        assertThat(s.droppedByType()).isEqualTo(Map.of(EventType.FILE, 3L, EventType.PROCESS, 1L));

        LossEvent loss = p.lossRecord(SINCE + 60_000);
        assertThat(loss.count()).isEqualTo(4);
        assertThat(loss.source()).isEqualTo("journal");
        assertThat(loss.estimate()).isFalse();
        assertThat(loss.reason()).isEqualTo("the journal could not be written from 2026-01-02T03:04:05Z to 2026-01-02T03:05:05Z"
                + " (the file system is full); 4 events were not captured: events captured from 2026-01-02T03:04:06Z to"
                + " 2026-01-02T03:04:07Z (file 3, process 1)");
    }

    @Test
    void aPeriodWithNoEventSaysSoAndTheNextStartsFromZero() {
        BlindPeriod p = new BlindPeriod();
        p.start("cannot reserve journal space", SINCE);
        assertThat(p.lossRecord(SINCE).reason()).endsWith("0 events were not captured: no event arrived meanwhile");
        p.drop(EventType.HARDWARE, 5);
        p.end();
        assertThat(p.open()).isFalse();
        assertThat(p.status()).isEqualTo(StorageStatus.HEALTHY);
        p.start("again", SINCE + 10);
        p.drop(EventType.FILE, 9);
        assertThat(p.status().droppedByType()).isEqualTo(Map.of(EventType.FILE, 1L));
        assertThat(p.lossRecord(SINCE + 10).reason()).contains("from 1970-01-01T00:00:00.000000009Z to 1970-01-01T00:00:00.000000009Z");
    }
}
