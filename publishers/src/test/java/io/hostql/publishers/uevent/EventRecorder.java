package io.hostql.publishers.uevent;

import static org.assertj.core.api.Assertions.fail;

import io.hostql.events.Event;
import io.hostql.events.EventSink;
import io.hostql.events.HardwareEvent;
import io.hostql.events.LossEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** An in-memory, thread-safe sink recording what the publisher appends, with waits for expected events. */
final class EventRecorder implements EventSink {
    private final List<Event> events = new ArrayList<>();

    @Override
    public synchronized long append(Event event) {
        events.add(event);
        notifyAll();
        return events.size() - 1;
    }

    synchronized List<Event> all() {
        return List.copyOf(events);
    }

    List<HardwareEvent> hardware(Predicate<HardwareEvent> p) {
        return all().stream().filter(HardwareEvent.class::isInstance).map(HardwareEvent.class::cast).filter(p).toList();
    }

    List<LossEvent> losses() {
        return all().stream().filter(LossEvent.class::isInstance).map(LossEvent.class::cast).toList();
    }

    HardwareEvent await(String what, Predicate<HardwareEvent> p) {
        return awaitEvent(what, e -> e instanceof HardwareEvent h && p.test(h), HardwareEvent.class, 5000);
    }

    LossEvent awaitLoss(String what, Predicate<LossEvent> p) {
        return awaitEvent(what, e -> e instanceof LossEvent l && p.test(l), LossEvent.class, 10000);
    }

    private synchronized <T> T awaitEvent(String what, Predicate<Event> p, Class<T> type, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            for (Event e : events) if (p.test(e)) return type.cast(e);
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) break;
            try {
                wait(Math.min(left, 50));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        StringBuilder sb = new StringBuilder("no event within " + millis + " ms: " + what + "; recorded (last 30 of " + events.size() + "):");
        for (int i = Math.max(0, events.size() - 30); i < events.size(); i++) sb.append("\n  ").append(events.get(i));
        fail(sb.toString());
        return null;
    }

    static Predicate<HardwareEvent> at(String devpath, String action) {
        return e -> e.devpath().equals(devpath) && e.action().equals(action);
    }
}
