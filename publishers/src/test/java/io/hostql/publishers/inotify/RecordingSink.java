package io.hostql.publishers.inotify;

import io.hostql.events.Event;
import io.hostql.events.FileEvent;
import io.hostql.events.LossEvent;
import io.hostql.publishers.RecordedEvents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/** The recording sink, with the inotify tests' typed views and predicates. */
final class RecordingSink extends RecordedEvents {
    static final long WAIT_MILLIS = 2000;

    RecordingSink() {
        super(RecordingSink::describe);
    }

    List<FileEvent> files() {
        return of(FileEvent.class, f -> true);
    }

    List<LossEvent> losses() {
        return of(LossEvent.class, l -> true);
    }

    List<FileEvent> filesMatching(Predicate<FileEvent> p) {
        return of(FileEvent.class, p);
    }

    /** Waits (at most 2 s) for a file event matching the predicate and returns the first one. */
    FileEvent await(String what, Predicate<FileEvent> p) {
        return await(what, FileEvent.class, p, WAIT_MILLIS);
    }

    LossEvent awaitLoss(String what, Predicate<LossEvent> p) {
        return await(what, LossEvent.class, p, WAIT_MILLIS);
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
