package io.hostql.publishers;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.Event;
import io.hostql.events.LossEvent;
import io.hostql.events.SystemEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SafeSinkTest {
    @Test
    void whatTheJournalRefusesIsCountedAndBecomesOneLossRecordNotADeadLoop() {
        List<Event> written = new ArrayList<>();
        boolean[] broken = {true};
        SafeSink sink = new SafeSink(e -> {
            // What a mapped write on a full disk raised before the journal guarded it.
            if (broken[0]) throw new InternalError("a fault occurred in a recent unsafe memory access operation");
            written.add(e);
            return written.size();
        }, "inotify", new RateLimitedLog(LoggerFactory.getLogger(SafeSinkTest.class), 60));
        for (int i = 0; i < 7; i++) sink.append(new SystemEvent(i, "refused " + i));
        assertThat(sink.refused()).isEqualTo(7);
        broken[0] = false;
        sink.append(new SystemEvent(100, "accepted"));
        assertThat(sink.refused()).isZero();
        assertThat(written).hasSize(2);
        LossEvent loss = (LossEvent) written.get(0);
        assertThat(loss.count()).isEqualTo(7);
        assertThat(loss.source()).isEqualTo("inotify");
        assertThat(loss.reason()).contains("refused 7 events", "InternalError");
        assertThat(written.get(1)).isEqualTo(new SystemEvent(100, "accepted"));
    }
}
