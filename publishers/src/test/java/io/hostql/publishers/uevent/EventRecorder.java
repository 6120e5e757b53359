package io.hostql.publishers.uevent;

import io.hostql.events.HardwareEvent;
import io.hostql.events.LossEvent;
import io.hostql.publishers.RecordedEvents;
import java.util.List;
import java.util.function.Predicate;

/** The recording sink, with the uevent tests' typed views. */
final class EventRecorder extends RecordedEvents {
    List<HardwareEvent> hardware(Predicate<HardwareEvent> p) {
        return of(HardwareEvent.class, p);
    }

    List<LossEvent> losses() {
        return of(LossEvent.class, l -> true);
    }

    HardwareEvent await(String what, Predicate<HardwareEvent> p) {
        return await(what, HardwareEvent.class, p, 5000);
    }

    LossEvent awaitLoss(String what, Predicate<LossEvent> p) {
        return await(what, LossEvent.class, p, 10000);
    }

    static Predicate<HardwareEvent> at(String devpath, String action) {
        return e -> e.devpath().equals(devpath) && e.action().equals(action);
    }
}
