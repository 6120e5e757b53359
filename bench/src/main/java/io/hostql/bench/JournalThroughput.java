package io.hostql.bench;

import io.hostql.events.FileEvent;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Issue 3: the journal's append and read rates in isolation (encoding, CRC32C, framing), against
 * raw Chronicle Queue appending the same number of pre-encoded bytes in the same run.
 */
final class JournalThroughput {
    private JournalThroughput() {}

    static String run(Path tmp, int events, int rounds) throws Exception {
        byte[][] paths = new byte[1024][];
        for (int i = 0; i < paths.length; i++) paths[i] = ("/var/lib/app/data/storm/dir-" + (i % 100) + "/file-" + i + ".dat").getBytes(StandardCharsets.UTF_8);
        double[] append = new double[rounds], read = new double[rounds], raw = new double[rounds], rawRead = new double[rounds];
        int frameSize = 0;
        for (int r = 0; r < rounds; r++) {
            Path dir = Files.createTempDirectory(tmp, "journal");
            try (Journal j = Journal.open(dir)) {
                long base = System.currentTimeMillis() * 1_000_000L;
                long t0 = System.nanoTime();
                for (int i = 0; i < events; i++) {
                    j.append(new FileEvent(base + i, FileEvent.IN_CLOSE_WRITE, 0, paths[i & 1023], "storm", 0));
                }
                append[r] = events / ((System.nanoTime() - t0) / 1e9);
                long n = 0;
                t0 = System.nanoTime();
                try (Journal.Reader reader = j.reader()) {
                    for (JournalEntry e; (e = reader.next()) != null; ) n++;
                }
                read[r] = n / ((System.nanoTime() - t0) / 1e9);
            }
            frameSize = 14 + 4 + 4 + 4 + paths[0].length + 4 + 5 + 4 + 4;
            Path rawDir = Files.createTempDirectory(tmp, "raw");
            try (SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(rawDir).blockSize(4L << 20).build()) {
                ExcerptAppender a = q.createAppender();
                byte[] frame = new byte[frameSize];
                Bytes<?> b = Bytes.wrapForRead(frame);
                long t0 = System.nanoTime();
                for (int i = 0; i < events; i++) {
                    try (DocumentContext dc = a.writingDocument()) {
                        dc.wire().bytes().write(frame);
                    }
                }
                raw[r] = events / ((System.nanoTime() - t0) / 1e9);
                ExcerptTailer t = q.createTailer();
                long n = 0;
                t0 = System.nanoTime();
                while (true) {
                    try (DocumentContext dc = t.readingDocument()) {
                        if (!dc.isPresent()) break;
                        dc.wire().bytes().toByteArray();
                        n++;
                    }
                }
                rawRead[r] = n / ((System.nanoTime() - t0) / 1e9);
                b.releaseLast();
            }
        }
        double ratio = Measure.median(append) / Measure.median(raw);
        return "## Journal throughput in isolation (issue 3)\n\n"
                + events + " file events (" + frameSize + "-byte frames) per round, median of " + rounds + " rounds, one thread.\n"
                + "The baseline is raw Chronicle Queue appending pre-encoded bytes of the same size, in the same run.\n\n"
                + "| | hostql journal | raw Chronicle (baseline) | ratio | target |\n|---|---|---|---|---|\n"
                + "| append | " + Measure.f(Measure.median(append) / 1e6, 2) + " M events/s | " + Measure.f(Measure.median(raw) / 1e6, 2)
                + " M/s | " + Measure.f(ratio, 2) + " | > 0.5 M/s " + (Measure.median(append) > 500_000 ? "(met)" : "(**missed**)") + " |\n"
                + "| read (decode + checksum) | " + Measure.f(Measure.median(read) / 1e6, 2) + " M events/s | "
                + Measure.f(Measure.median(rawRead) / 1e6, 2) + " M/s | " + Measure.f(Measure.median(read) / Measure.median(rawRead), 2) + " | |\n\n";
    }
}
