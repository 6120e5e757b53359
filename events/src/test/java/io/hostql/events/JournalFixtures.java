package io.hostql.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What the journal's tests share: events to append, reading everything back, and damaging cycle files. */
final class JournalFixtures {
    private JournalFixtures() {}

    static FileEvent file(long nanos, String path) {
        return new FileEvent(nanos, FileEvent.IN_CREATE, 0, path.getBytes(StandardCharsets.UTF_8), "etc", 0);
    }

    static List<JournalEntry> drain(Journal.Reader r) {
        List<JournalEntry> out = new ArrayList<>();
        for (JournalEntry e; (e = r.next()) != null; ) out.add(e);
        return out;
    }

    static List<FileEvent> files(List<JournalEntry> entries) {
        return entries.stream().map(JournalEntry::event).filter(FileEvent.class::isInstance).map(FileEvent.class::cast).toList();
    }

    static List<LossEvent> losses(List<JournalEntry> entries) {
        return entries.stream().map(JournalEntry::event).filter(LossEvent.class::isInstance).map(LossEvent.class::cast).toList();
    }

    static List<Path> cycleFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".cq4")).toList();
        }
    }

    static Path onlyCycleFile(Path dir) throws Exception {
        List<Path> files = cycleFiles(dir);
        assertThat(files).hasSize(1);
        return files.get(0);
    }

    /** The offset of a marker's bytes in a file. */
    static long find(Path file, String marker) throws Exception {
        byte[] all = Files.readAllBytes(file);
        byte[] m = marker.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + m.length <= all.length; i++) {
            for (int k = 0; k < m.length; k++) if (all[i + k] != m[k]) continue outer;
            return i;
        }
        throw new AssertionError(marker + " not in " + file);
    }

    /** Damages one byte of the record holding the marker: it fails its checksum. */
    static void flipByteIn(Path file, String marker) throws Exception {
        long at = find(file, marker);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at + 2);
            int b = f.read();
            f.seek(at + 2);
            f.write(b ^ 0x5a);
        }
    }

    /** Zeroes length bytes from 64 before the marker: a hole that stops Chronicle's reading in order. */
    static void zeroAround(Path file, String marker, int length) throws Exception {
        long at = find(file, marker) - 64;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            f.write(new byte[length]);
        }
    }
}
