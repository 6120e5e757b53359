package io.hostql.publishers.inotify;

import static io.hostql.publishers.inotify.RecordingSink.at;
import static io.hostql.publishers.inotify.RecordingSink.under;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.config.osquery.FileMonitoring;
import io.hostql.events.FileEvent;
import io.hostql.os.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory created (or moved) into a watched tree and filled at once: the publisher watches it and
 * scans it, and a file created after the watch is placed but before the scan reads the directory is seen
 * by both. Each file must still be reported CREATED exactly once per category, and none may be missed.
 * The files are written as fast as libc allows, many rounds, so the window is hit on every run.
 */
class NewDirectoryScanRaceTest {
    static final int ROUNDS = 20;
    static final int FILES = 200;

    @TempDir
    Path tmpDir;

    Path tree;
    final RecordingSink sink = new RecordingSink();
    InotifyPublisher pub;

    @BeforeEach
    void setUp() throws IOException {
        tree = Files.createDirectories(tmpDir.toRealPath().resolve("tree"));
    }

    @AfterEach
    void tearDown() {
        if (pub != null) pub.close();
    }

    void start(Map<String, List<String>> paths) {
        pub = new InotifyPublisher(new FileMonitoring(paths, Map.of(), Set.of()), sink);
        pub.start();
    }

    static void create(Path f) {
        int fd = Libc.creat(Libc.cPath(f.toString().getBytes(StandardCharsets.UTF_8)), 0644);
        assertThat(fd).as("creat " + f).isGreaterThanOrEqualTo(0);
        Libc.close(fd);
    }

    /** Creates n files in dir as fast as possible; returns them. */
    static List<Path> fill(Path dir, int n) {
        List<Path> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Path f = dir.resolve("f" + i);
            create(f);
            out.add(f);
        }
        return out;
    }

    /** Waits until everything the kernel queued before a sentinel has been handled. */
    void sync(String name) {
        Path s = tree.resolve(name);
        create(s);
        sink.await("sentinel " + s, FileEvent.class, at(s, "CREATED"), 30_000); // thousands of events ahead of it
    }

    /** Paths (under the tree) with other than exactly one CREATED in the category, with their count. */
    Map<String, Long> notExactlyOnce(List<Path> expected, String category) {
        Map<String, Long> counts = sink.filesMatching(f -> "CREATED".equals(f.action()) && f.category().equals(category)).stream()
                .collect(Collectors.groupingBy(FileEvent::pathText, TreeMap::new, Collectors.counting()));
        Map<String, Long> wrong = new TreeMap<>();
        for (Path p : expected) {
            long n = counts.getOrDefault(p.toString(), 0L);
            if (n != 1) wrong.put(p.toString(), n);
        }
        counts.forEach((p, n) -> {
            if (n != 1) wrong.put(p, n);
        });
        return wrong;
    }

    /**
     * The race made certain: a hook on the publisher thread creates files (and a subdirectory) in each new
     * directory right after its watch is placed and before it is scanned, so the kernel queues an IN_CREATE
     * for them and the scan sees them too. A second pattern of the same category, and one of another
     * category, cover the created directory as well.
     */
    @Test
    void filesCreatedBetweenTheNewWatchAndTheScanAreCreatedExactlyOnce() throws Exception {
        Path outside = Files.createDirectories(tmpDir.toRealPath().resolve("outside"));
        start(Map.of("fim", List.of(tree + "/%%", tree + "/hooked/%"), "other", List.of(tree + "/hooked/%")));
        List<Path> made = Collections.synchronizedList(new ArrayList<>());
        pub.onNewWatch(dir -> {
            Path d = Path.of(dir);
            if (!d.getFileName().toString().startsWith("hooked")) return;
            for (int i = 0; i < 5; i++) {
                Path f = d.resolve("in-window" + i);
                create(f);
                made.add(f);
            }
            if (d.getFileName().toString().equals("hooked")) {
                Path sub = d.resolve("hooked-sub");
                assertThat(sub.toFile().mkdir()).isTrue(); // watched, and hooked in turn, by the scan of d
                made.add(sub);
            }
        });
        Path created = tree.resolve("hooked");
        assertThat(created.toFile().mkdir()).isTrue();
        Path moved = tree.resolve("hooked-moved");
        create(Files.createDirectories(outside.resolve("hooked-moved")).resolve("old"));
        Files.move(outside.resolve("hooked-moved"), moved);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (made.size() < 16 && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(made).as("files the hook made: 5 in each of the three directories, and the subdirectory").hasSize(16);
        sync("sentinel"); // queued after the hook's files
        pub.onNewWatch(null);

        List<Path> expected = new ArrayList<>(made);
        expected.add(created);
        expected.add(moved.resolve("old"));
        assertThat(notExactlyOnce(expected, "fim")).as("paths without exactly one CREATED (path -> count)").isEmpty();
        assertThat(sink.filesMatching(at(moved, "MOVED_TO"))).as("the move itself").hasSize(1);
        assertThat(sink.filesMatching(at(moved, "CREATED"))).as("the moved directory is not also created").isEmpty();
        List<Path> other = made.stream().filter(f -> f.getParent().equals(created)).toList();
        assertThat(other).hasSize(6);
        assertThat(notExactlyOnce(other, "other")).as("other: paths without exactly one CREATED (path -> count)").isEmpty();

        // Deleted and made again under the same name: a new creation, reported again.
        Path again = created.resolve("in-window0");
        Files.delete(again);
        create(again);
        sync("sentinel2");
        assertThat(sink.filesMatching(at(again, "CREATED").and(f -> f.category().equals("fim")))).as("re-created after a delete").hasSize(2);

        // The queue has been read empty since: nothing is remembered any more.
        deadline = System.nanoTime() + 5_000_000_000L;
        while (pub.scannedNamesRemembered() > 0 && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(pub.scannedNamesRemembered()).as("names remembered from the scans").isZero();
    }

    @Test
    void filesWrittenIntoANewDirectoryAreCreatedExactlyOnce() {
        start(Map.of("fim", List.of(tree + "/%%")));
        List<Path> expected = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            Path d = tree.resolve("d" + r);
            assertThat(d.toFile().mkdir()).isTrue();
            expected.add(d);
            expected.addAll(fill(d, FILES));
        }
        sync("sentinel");
        assertThat(notExactlyOnce(expected, "fim")).as("paths without exactly one CREATED (path -> count)").isEmpty();
    }

    @Test
    void nestedTreesMadeAtOnceAreCreatedExactlyOnce() {
        start(Map.of("fim", List.of(tree + "/%%")));
        List<Path> expected = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            Path top = tree.resolve("p" + r);
            Path deep = top.resolve("a/b/c");
            assertThat(deep.toFile().mkdirs()).isTrue(); // mkdir -p: one mkdir per level
            expected.addAll(List.of(top, top.resolve("a"), top.resolve("a/b"), deep));
            for (Path level : List.of(deep, top.resolve("a/b"), top.resolve("a"), top)) expected.addAll(fill(level, FILES / 4));
        }
        sync("sentinel");
        assertThat(notExactlyOnce(expected, "fim")).as("paths without exactly one CREATED (path -> count)").isEmpty();
    }

    @Test
    void filesWrittenIntoAMovedInDirectoryAreCreatedExactlyOnce() throws IOException {
        Path outside = Files.createDirectories(tmpDir.toRealPath().resolve("outside"));
        start(Map.of("fim", List.of(tree + "/%%")));
        List<Path> expected = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            Path src = Files.createDirectories(outside.resolve("m" + r + "/sub"));
            for (int i = 0; i < 10; i++) create(src.resolve("old" + i));
            Path moved = tree.resolve("m" + r);
            Files.move(outside.resolve("m" + r), moved);
            expected.add(moved.resolve("sub"));
            for (int i = 0; i < 10; i++) expected.add(moved.resolve("sub/old" + i));
            expected.addAll(fill(moved.resolve("sub"), FILES));
        }
        sync("sentinel");
        assertThat(notExactlyOnce(expected, "fim")).as("paths without exactly one CREATED (path -> count)").isEmpty();
        for (int r = 0; r < ROUNDS; r++) {
            Path moved = tree.resolve("m" + r);
            assertThat(sink.filesMatching(at(moved, "MOVED_TO"))).as("the move itself").hasSize(1);
            assertThat(sink.filesMatching(at(moved, "CREATED"))).as("the moved directory is not also created").isEmpty();
        }
    }
}
