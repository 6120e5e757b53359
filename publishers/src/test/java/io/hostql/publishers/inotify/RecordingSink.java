package io.hostql.publishers.inotify;

import static org.assertj.core.api.Assertions.fail;

import io.hostql.events.Event;
import io.hostql.events.EventSink;
import io.hostql.events.FileEvent;
import io.hostql.events.LossEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/** An in-memory, thread-safe sink that records what the publisher appends, with waits for expected events. */
final class RecordingSink implements EventSink {
    static final long WAIT_MILLIS = 2000;

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

    List<FileEvent> files() {
        return all().stream().filter(FileEvent.class::isInstance).map(FileEvent.class::cast).toList();
    }

    List<LossEvent> losses() {
        return all().stream().filter(LossEvent.class::isInstance).map(LossEvent.class::cast).toList();
    }

    List<FileEvent> filesMatching(Predicate<FileEvent> p) {
        return files().stream().filter(p).toList();
    }

    /** Waits (at most 2 s) for a file event matching the predicate and returns the first one. */
    FileEvent await(String what, Predicate<FileEvent> p) {
        return awaitEvent(what, e -> e instanceof FileEvent f && p.test(f), FileEvent.class);
    }

    LossEvent awaitLoss(String what, Predicate<LossEvent> p) {
        return awaitEvent(what, e -> e instanceof LossEvent l && p.test(l), LossEvent.class);
    }

    private synchronized <T> T awaitEvent(String what, Predicate<Event> p, Class<T> type) {
        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
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
        StringBuilder sb = new StringBuilder("no event within " + WAIT_MILLIS + " ms: " + what + "; recorded:");
        int from = Math.max(0, events.size() - 40);
        for (int i = from; i < events.size(); i++) sb.append("\n  ").append(describe(events.get(i)));
        fail(sb.toString());
        return null;
    }

    static String describe(Event e) {
        if (e instanceof FileEvent f) {
            return f.action() + " 0x" + Integer.toHexString(f.mask()) + " " + f.pathText() + " [" + f.category() + "] cookie=" + f.cookie()
                    + ((f.flags() & FileEvent.SYNTHETIC) != 0 ? " SYNTHETIC" : "") + ((f.flags() & FileEvent.ACCESS_CATEGORY) != 0 ? " ACCESS" : "");
        }
        return String.valueOf(e);
    }

    // Predicates

    static byte[] bytes(Path p) {
        return p.toString().getBytes(StandardCharsets.UTF_8);
    }

    static Predicate<FileEvent> at(Path p) {
        byte[] b = bytes(p);
        return f -> Arrays.equals(f.path(), b);
    }

    static Predicate<FileEvent> at(Path p, String action) {
        return at(p).and(f -> action.equals(f.action()));
    }

    static Predicate<FileEvent> under(Path dir) {
        byte[] b = bytes(dir);
        return f -> f.path().length > b.length && f.path()[b.length] == '/' && Arrays.equals(f.path(), 0, b.length, b, 0, b.length)
                || Arrays.equals(f.path(), b);
    }

    static Predicate<FileEvent> synthetic() {
        return f -> (f.flags() & FileEvent.SYNTHETIC) != 0;
    }

    static Predicate<FileEvent> real() {
        return f -> (f.flags() & FileEvent.SYNTHETIC) == 0;
    }
}
