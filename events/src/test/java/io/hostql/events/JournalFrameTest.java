package io.hostql.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The frame around each record: checked, typed, timed. (Damage of every kind: {@link JournalFrameFuzzTest}.) */
class JournalFrameTest {
    private static byte[] encoded(Event e) {
        RecordOutput payload = new RecordOutput();
        e.encode(payload);
        return new JournalFrame().encode(e.type(), e.captureNanos(), payload.array(), payload.length()).toByteArray();
    }

    @Test
    void aFrameDecodesToItsEventAndAnyChangedBitFailsItsChecksum() {
        FileEvent event = JournalFixtures.file(123_456_789_012L, "/frame");
        byte[] b = encoded(event);
        assertThat(b).hasSize(JournalFrame.size(JournalFrameFuzzTest.encode(event).length));
        assertThat(JournalFrame.decode(b)).isInstanceOfSatisfying(FileEvent.class, f -> {
            assertThat(f.pathText()).isEqualTo("/frame");
            assertThat(f.captureNanos()).isEqualTo(123_456_789_012L);
        });
        assertThat(JournalFrame.captureNanos(b)).isEqualTo(123_456_789_012L);
        for (int i = 0; i < b.length; i++) {
            byte[] damaged = b.clone();
            damaged[i] ^= 0x10;
            assertThat(JournalFrame.decode(damaged)).as("bit 4 of byte " + i).isNull();
        }
    }

    @Test
    void aRecordOfATypeNotAskedForIsSkippedWithItsTimeButStillChecked() {
        byte[] b = encoded(new LossEvent(77, "inotify", 3, "IN_Q_OVERFLOW"));
        assertThat(JournalFrame.decode(b, Set.of(EventType.FILE))).isEqualTo(new SkippedEvent(77, EventType.LOSS));
        assertThat(JournalFrame.decode(b, Set.of(EventType.LOSS))).isEqualTo(new LossEvent(77, "inotify", 3, "IN_Q_OVERFLOW"));
        b[b.length - 1] ^= 1;
        assertThat(JournalFrame.decode(b, Set.of(EventType.FILE))).isNull();
    }

    @Test
    void theEncoderIsReusedFrameAfterFrame() {
        JournalFrame encoder = new JournalFrame();
        RecordOutput big = new RecordOutput();
        JournalFixtures.file(1, "/" + "x".repeat(5000)).encode(big);
        RecordOutput small = new RecordOutput();
        JournalFixtures.file(2, "/y").encode(small);
        encoder.encode(EventType.FILE, 1, big.array(), big.length());
        byte[] second = encoder.encode(EventType.FILE, 2, small.array(), small.length()).toByteArray();
        assertThat(((FileEvent) JournalFrame.decode(second)).pathText()).isEqualTo("/y");
    }
}
