package io.hostql.events;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.TimeZone;
import net.openhft.chronicle.queue.RollCycle;

/** The journal's cycle files: their names (Chronicle's, by roll cycle), sizes, and how a user finds a record in them. */
final class CycleFiles {
    static final String SUFFIX = ".cq4";

    private final Path dir;
    private final RollCycle rollCycle;

    CycleFiles(Path dir, RollCycle rollCycle) {
        this.dir = dir;
        this.rollCycle = rollCycle;
    }

    Path dir() {
        return dir;
    }

    RollCycle rollCycle() {
        return rollCycle;
    }

    String name(int cycle) {
        SimpleDateFormat f = new SimpleDateFormat(rollCycle.format());
        f.setTimeZone(TimeZone.getTimeZone("UTC"));
        return f.format(new Date((long) cycle * rollCycle.lengthInMillis())) + SUFFIX;
    }

    Path path(int cycle) {
        return dir.resolve(name(cycle));
    }

    /** The cycle a file's name stands for (Integer.MAX_VALUE when it is not a cycle file's name). */
    int cycleOf(Path file) {
        String name = file.getFileName().toString().replace(SUFFIX, "");
        SimpleDateFormat f = new SimpleDateFormat(rollCycle.format());
        f.setTimeZone(TimeZone.getTimeZone("UTC"));
        try {
            return (int) (f.parse(name).getTime() / rollCycle.lengthInMillis());
        } catch (ParseException e) {
            return Integer.MAX_VALUE;
        }
    }

    /** "record N of journal file F": what a user can find (Chronicle's raw index means nothing outside it). */
    String describe(long index) {
        return (rollCycle.toSequenceNumber(index) + 1) + " of journal file " + name(rollCycle.toCycle(index));
    }

    /** The newest cycle file by name, or null when there is none (or the directory cannot be listed). */
    Path newest() {
        Path newest = null;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : ds) if (newest == null || p.getFileName().toString().compareTo(newest.getFileName().toString()) > 0) newest = p;
        } catch (IOException e) {
            return null;
        }
        return newest;
    }

    /** Bytes the cycle files take (apparent size); -1 when the directory cannot be listed. */
    long bytesOnDisk() {
        long total = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : ds) total += sizeOf(p);
        } catch (IOException e) {
            return -1;
        }
        return total;
    }

    static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }
}
