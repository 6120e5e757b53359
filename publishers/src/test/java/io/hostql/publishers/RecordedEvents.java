package io.hostql.publishers;

import static org.assertj.core.api.Assertions.fail;

import io.hostql.events.Event;
import io.hostql.events.EventSink;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/** An in-memory, thread-safe sink that records what a publisher appends, with waits for expected events. */
public class RecordedEvents implements EventSink {
    private final List<Event> events = new ArrayList<>();
    private final Function<Event, String> describe;

    public RecordedEvents() {
        this(String::valueOf);
    }

    /** describe: how an event is shown when a wait fails. */
    public RecordedEvents(Function<Event, String> describe) {
        this.describe = describe;
    }

    @Override
    public synchronized long append(Event event) {
        events.add(event);
        notifyAll();
        return events.size() - 1;
    }

    public synchronized List<Event> all() {
        return List.copyOf(events);
    }

    public <T extends Event> List<T> of(Class<T> type, Predicate<T> p) {
        return all().stream().filter(type::isInstance).map(type::cast).filter(p).toList();
    }

    /** The first recorded event of the type matching p, waiting at most millis; fails with the last events recorded. */
    public synchronized <T extends Event> T await(String what, Class<T> type, Predicate<T> p, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            for (Event e : events) if (type.isInstance(e) && p.test(type.cast(e))) return type.cast(e);
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) break;
            try {
                wait(Math.min(left, 50));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        StringBuilder sb = new StringBuilder("no event within " + millis + " ms: " + what + "; recorded (last 40 of " + events.size() + "):");
        for (int i = Math.max(0, events.size() - 40); i < events.size(); i++) sb.append("\n  ").append(describe.apply(events.get(i)));
        fail(sb.toString());
        return null;
    }
}
