package io.hostql.publishers.inotify;

import static io.hostql.publishers.inotify.RecordingSink.at;
import static io.hostql.publishers.inotify.RecordingSink.real;
import static io.hostql.publishers.inotify.RecordingSink.synthetic;
import static io.hostql.publishers.inotify.RecordingSink.under;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.config.osquery.FileMonitoring;
import io.hostql.events.FileEvent;
import io.hostql.events.LossEvent;
import io.hostql.os.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inotify publisher against the real kernel, in a temporary directory. */
class InotifyPublisherTest {
    @TempDir
    Path tmpDir;

    Path tmp;
    final RecordingSink sink = new RecordingSink();
    final List<InotifyPublisher> publishers = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        tmp = tmpDir.toRealPath();
    }

    @AfterEach
    void tearDown() {
        publishers.forEach(InotifyPublisher::close);
    }

    static FileMonitoring config(Map<String, List<String>> paths) {
        return new FileMonitoring(paths, Map.of(), Set.of());
    }

    InotifyPublisher start(FileMonitoring cfg) {
        InotifyPublisher p = new InotifyPublisher(cfg, sink);
        publishers.add(p);
        p.start();
        return p;
    }

    static void write(Path p, String text) throws IOException {
        Files.writeString(p, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Writes a sentinel file and waits for its event: everything the kernel queued before it has been handled. */
    void sync(Path sentinel) throws IOException {
        write(sentinel, "s");
        sink.await("sentinel " + sentinel, at(sentinel, "CREATED"));
    }

    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }

    @Test
    void reportsCreateWriteChmodRenameAndDeleteWithPathCategoryAndCookie() throws IOException {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        start(config(Map.of("fim", List.of(tree + "/%%"))));

        Path a = tree.resolve("a.txt");
        write(a, "hello");
        FileEvent created = sink.await("create a.txt", at(a, "CREATED"));
        assertThat(created.category()).isEqualTo("fim");
        assertThat(created.cookie()).isZero();
        assertThat(created.flags()).isZero();
        assertThat(created.isDirectory()).isFalse();
        FileEvent updated = sink.await("write a.txt", at(a, "UPDATED"));
        assertThat(updated.mask() & (FileEvent.IN_MODIFY | FileEvent.IN_CLOSE_WRITE)).isNotZero();

        Files.setPosixFilePermissions(a, PosixFilePermissions.fromString("rw-------"));
        sink.await("chmod a.txt", at(a, "ATTRIBUTES_MODIFIED"));

        Path b = tree.resolve("b.txt");
        Files.move(a, b);
        FileEvent from = sink.await("rename from a.txt", at(a, "MOVED_FROM"));
        FileEvent to = sink.await("rename to b.txt", at(b, "MOVED_TO"));
        assertThat(from.cookie()).isNotZero().isEqualTo(to.cookie());
        assertThat(to.category()).isEqualTo("fim");

        Files.move(b, outside.resolve("b.txt"));
        FileEvent out = sink.await("rename out of the tree", at(b, "MOVED_FROM").and(f -> f.cookie() != from.cookie()));
        assertThat(out.cookie()).isNotZero();

        Files.setPosixFilePermissions(tree, PosixFilePermissions.fromString("rwxr-x---"));
        FileEvent self = sink.await("chmod of the tree's root itself", at(tree, "ATTRIBUTES_MODIFIED"));
        assertThat(self.isDirectory()).isTrue();

        Path c = tree.resolve("c.txt");
        write(c, "x");
        Files.delete(c);
        sink.await("delete c.txt", at(c, "DELETED"));

        sync(tree.resolve("sentinel"));
        assertThat(sink.filesMatching(under(outside))).as("nothing from outside the tree").isEmpty();
        assertThat(sink.filesMatching(f -> f.action() == null)).as("only osquery actions are published").isEmpty();
    }

    @Test
    void directoryCreatedInTheTreeIsWatchedAtOnceAndFilesWrittenRightAfterMkdirAreNotMissed() throws IOException {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        InotifyPublisher pub = start(config(Map.of("fim", List.of(tree + "/%%"))));

        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            Path d = Files.createDirectory(tree.resolve("d" + i));
            for (int j = 0; j < 10; j++) {
                Path f = d.resolve("f" + j);
                write(f, "x");
                files.add(f);
            }
            Path deep = Files.createDirectories(d.resolve("sub/deep"));
            Path f = deep.resolve("file");
            write(f, "y");
            files.add(f);
        }
        for (Path f : files) {
            FileEvent e = sink.await("creation of " + f + " (from the kernel or the scan of the new directory)", at(f, "CREATED"));
            assertThat(e.category()).isEqualTo("fim");
        }
        sink.await("new directory reported", at(tree.resolve("d0"), "CREATED").and(FileEvent::isDirectory).and(real()));
        assertThat(pub.watchedDirectories()).contains(tree + "/d29/sub/deep");
        assertThat(pub.stats().overflows()).isZero();

        Path later = tree.resolve("d0/sub/deep/later.txt");
        write(later, "z");
        sink.await("a later write deep inside", at(later, "CREATED").and(real()));
    }

    @Test
    void treeMovedInIsWatchedAndItsContentsAreReportedAsSynthetic() throws IOException {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Path src = Files.createDirectories(tmp.resolve("outside/mv/a/b"));
        write(src.resolve("c.txt"), "old");
        write(tmp.resolve("outside/mv/top.txt"), "old");
        InotifyPublisher pub = start(config(Map.of("fim", List.of(tree + "/%%"))));

        Path mv = tree.resolve("mv");
        Files.move(tmp.resolve("outside/mv"), mv);
        FileEvent movedTo = sink.await("moved in", at(mv, "MOVED_TO"));
        assertThat(movedTo.isDirectory()).isTrue();
        sink.await("nested dir", at(mv.resolve("a"), "CREATED").and(synthetic()).and(FileEvent::isDirectory));
        sink.await("nested dir", at(mv.resolve("a/b"), "CREATED").and(synthetic()).and(FileEvent::isDirectory));
        FileEvent nested = sink.await("nested file", at(mv.resolve("a/b/c.txt"), "CREATED").and(synthetic()));
        assertThat(nested.isDirectory()).isFalse();
        assertThat(nested.category()).isEqualTo("fim");
        sink.await("top file", at(mv.resolve("top.txt"), "CREATED").and(synthetic()));
        assertThat(pub.watchedDirectories()).contains(mv.toString(), mv + "/a", mv + "/a/b");

        write(mv.resolve("a/b/c.txt"), "new");
        sink.await("a later write deep inside the moved tree", at(mv.resolve("a/b/c.txt"), "UPDATED").and(real()));

        // Renamed within the tree: the old paths lose their watches, the new ones get them.
        Path renamed = tree.resolve("renamed");
        Files.move(mv, renamed);
        sink.await("renamed", at(renamed, "MOVED_TO"));
        // MOVED_TO is published before the new watches are placed; the scan that follows them reports the contents.
        sink.await("contents under the new name", at(renamed.resolve("a/b/c.txt"), "CREATED").and(synthetic()));
        write(renamed.resolve("a/b/c.txt"), "again");
        sink.await("write under the new name", at(renamed.resolve("a/b/c.txt"), "UPDATED").and(real()));
        assertThat(pub.watchedDirectories()).doesNotContain(mv.toString(), mv + "/a", mv + "/a/b").contains(renamed + "/a/b");
    }

    @Test
    void configuredPathThatAppearsAfterStartIsPickedUp() throws IOException {
        Path base = tmp.resolve("later/deeper");
        Path literalDir = tmp.resolve("later2");
        InotifyPublisher pub = start(config(Map.of(
                "late", List.of(base + "/%%"),
                "conf", List.of(literalDir + "/app.conf"))));
        assertThat(pub.watchedDirectories()).as("the nearest existing ancestor is watched").contains(tmp.toString());

        Path x = Files.createDirectories(base.resolve("x/y"));
        Path f = x.resolve("f.txt");
        write(f, "1");
        FileEvent e = sink.await("a file in the path that appeared", at(f, "CREATED"));
        assertThat(e.category()).isEqualTo("late");

        Files.createDirectories(literalDir);
        Path conf = literalDir.resolve("app.conf");
        write(conf, "a=1");
        write(literalDir.resolve("other.txt"), "not selected");
        assertThat(sink.await("literal file that appeared", at(conf, "CREATED")).category()).isEqualTo("conf");

        Path g = x.resolve("g.txt");
        write(g, "2");
        sink.await("deep file after the watches are in place", at(g, "CREATED").and(real()));
        assertThat(pub.watchedDirectories()).contains(base.toString(), base + "/x", base + "/x/y", literalDir.toString());
        assertThat(sink.filesMatching(at(literalDir.resolve("other.txt")))).as("only app.conf is selected in later2").isEmpty();
    }

    @Test
    void watchedDirectoryDeletedAndRecreatedIsWatchedAgain() throws IOException {
        Path x = Files.createDirectories(tmp.resolve("x/sub"));
        InotifyPublisher pub = start(config(Map.of("x", List.of(tmp.resolve("x") + "/%%"))));
        for (int round = 0; round < 3; round++) {
            deleteTree(tmp.resolve("x"));
            Files.createDirectories(x);
            Path f = x.resolve("f" + round);
            write(f, "r");
            sink.await("file in the re-created directory, round " + round, at(f, "CREATED"));
        }
        Path g = x.resolve("g");
        write(g, "g");
        sink.await("later file", at(g, "CREATED").and(real()));
        assertThat(pub.watchedDirectories()).contains(tmp + "/x", tmp + "/x/sub");

        // Moved away (IN_MOVE_SELF): the old watches go, and the path is watched for again.
        Path away = tmp.resolve("away");
        Files.move(tmp.resolve("x"), away);
        Files.createDirectories(x);
        Path h = x.resolve("h");
        write(h, "h");
        sink.await("file in the directory made after the move", at(h, "CREATED"));
        write(away.resolve("sub/ignored"), "i");
        sync(x.resolve("sentinel"));
        assertThat(sink.filesMatching(under(away))).as("the moved-away tree is not reported").isEmpty();
        assertThat(sink.filesMatching(at(x.resolve("sub/ignored")))).as("nor under its old path").isEmpty();
        assertThat(pub.watchedDirectories()).doesNotContain(away.toString(), away + "/sub").contains(tmp + "/x/sub");
    }

    @Test
    void excludedSubtreesGetNoWatchAndProduceNoEvents() throws IOException {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Files.createDirectories(tree.resolve("skip/sub"));
        Files.createDirectories(tree.resolve("keep/node_modules/lib"));
        Files.createDirectories(tree.resolve("cache/c1"));
        Files.createDirectories(tree.resolve("logs"));
        FileMonitoring cfg = new FileMonitoring(
                Map.of("fim", List.of(tree + "/%%")),
                Map.of("fim", List.of(tree + "/skip/", tree + "/cache/%%"), "other", List.of(tree + "/%/node_modules", tree + "/logs/noisy.log")),
                Set.of());
        InotifyPublisher pub = start(cfg);

        Set<String> watched = pub.watchedDirectories();
        assertThat(watched).contains(tree.toString(), tree + "/keep", tree + "/logs")
                .doesNotContain(tree + "/skip", tree + "/skip/sub", tree + "/keep/node_modules", tree + "/keep/node_modules/lib",
                        tree + "/cache", tree + "/cache/c1");

        write(tree.resolve("skip/sub/f"), "x");
        write(tree.resolve("skip/f"), "x");
        Files.createDirectories(tree.resolve("skip/new/deeper"));
        write(tree.resolve("skip/new/deeper/f"), "x");
        write(tree.resolve("keep/node_modules/lib/f"), "x");
        write(tree.resolve("cache/c1/f"), "x");
        write(tree.resolve("cache/f"), "x");
        write(tree.resolve("logs/noisy.log"), "x");
        Files.createDirectories(tree.resolve("other/node_modules/x"));
        write(tree.resolve("other/node_modules/x/f"), "x");
        write(tree.resolve("logs/kept.log"), "x");
        sink.await("a file that is not excluded", at(tree.resolve("logs/kept.log"), "CREATED"));
        sync(tree.resolve("keep/sentinel"));

        assertThat(sink.filesMatching(under(tree.resolve("skip")))).isEmpty();
        assertThat(sink.filesMatching(under(tree.resolve("cache")).and(at(tree.resolve("cache")).negate()))).isEmpty();
        assertThat(sink.filesMatching(under(tree.resolve("keep/node_modules")))).isEmpty();
        assertThat(sink.filesMatching(under(tree.resolve("other/node_modules")))).isEmpty();
        assertThat(sink.filesMatching(at(tree.resolve("logs/noisy.log")))).isEmpty();
        assertThat(pub.watchedDirectories()).contains(tree + "/other")
                .doesNotContain(tree + "/skip/new", tree + "/skip/new/deeper", tree + "/other/node_modules", tree + "/other/node_modules/x");
    }

    @Test
    void nonUtf8FileNameArrivesIntact() throws IOException {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        start(config(Map.of("fim", List.of(tree + "/%%"))));
        byte[] dir = tree.toString().getBytes(StandardCharsets.UTF_8);
        byte[] path = Arrays.copyOf(dir, dir.length + 3);
        path[dir.length] = '/';
        path[dir.length + 1] = (byte) 0xff;
        path[dir.length + 2] = (byte) 0xfe;
        int fd = Libc.creat(Libc.cPath(path), 0644);
        assertThat(fd).as("creat of a non-UTF-8 name").isGreaterThanOrEqualTo(0);
        Libc.close(fd);
        FileEvent e = sink.await("non-UTF-8 name", f -> Arrays.equals(f.path(), path) && "CREATED".equals(f.action()));
        assertThat(e.path()).containsExactly(path);
    }

    @Test
    void wildcardsOneLevelAndPartialNamesIncludingDirectoriesThatAppearLater() throws IOException {
        Path w = Files.createDirectories(tmp.resolve("w"));
        Files.createDirectories(w.resolve("u1/etc"));
        Files.createDirectories(w.resolve("bin"));
        InotifyPublisher pub = start(config(Map.of(
                "apps", List.of(w + "/%/etc/app%"),
                "shells", List.of(w + "/bin/%sh"),
                "one", List.of(w + "/bin/"))));

        write(w.resolve("u1/etc/app.conf"), "x");
        write(w.resolve("u1/etc/other.conf"), "x");
        write(w.resolve("bin/bash"), "x");
        write(w.resolve("bin/ls"), "x");
        Files.createDirectories(w.resolve("u2/etc"));
        write(w.resolve("u2/etc/appx"), "x");
        Files.createDirectories(w.resolve("bin/sub"));
        write(w.resolve("bin/sub/zsh"), "x");

        sink.await("app% in an existing match", at(w.resolve("u1/etc/app.conf"), "CREATED").and(f -> f.category().equals("apps")));
        sink.await("app% under a directory that appeared later", at(w.resolve("u2/etc/appx"), "CREATED").and(f -> f.category().equals("apps")));
        sink.await("%sh", at(w.resolve("bin/bash"), "CREATED").and(f -> f.category().equals("shells")));
        sink.await("trailing slash: the directory's contents", at(w.resolve("bin/ls"), "CREATED").and(f -> f.category().equals("one")));
        sync(w.resolve("bin/sentinel"));
        assertThat(sink.filesMatching(at(w.resolve("u1/etc/other.conf")))).isEmpty();
        assertThat(sink.filesMatching(at(w.resolve("bin/ls")).and(f -> f.category().equals("shells")))).isEmpty();
        assertThat(sink.filesMatching(under(w.resolve("bin/sub")).and(at(w.resolve("bin/sub")).negate()))).as("% is one level only").isEmpty();
        assertThat(pub.watchedDirectories()).doesNotContain(w + "/bin/sub");
    }

    @Test
    void aPathInTwoCategoriesGivesOneEventPerCategoryAndAccessCategoriesSeeReads() throws IOException {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        InotifyPublisher pub = start(new FileMonitoring(
                Map.of("all", List.of(tree + "/%%"), "confs", List.of(tree + "/%.conf")), Map.of(), Set.of("confs")));
        Path conf = tree.resolve("x.conf");
        write(conf, "a=1");
        sink.await("category all", at(conf, "CREATED").and(f -> f.category().equals("all") && f.flags() == 0));
        sink.await("category confs", at(conf, "CREATED").and(f -> f.category().equals("confs") && f.flags() == FileEvent.ACCESS_CATEGORY));

        Files.readAllBytes(conf);
        FileEvent opened = sink.await("open seen by the access category", at(conf, "OPENED").and(f -> f.category().equals("confs")));
        assertThat(opened.flags() & FileEvent.ACCESS_CATEGORY).isNotZero();
        sink.await("read seen by the access category", at(conf, "ACCESSED").and(f -> f.category().equals("confs")));
        sync(tree.resolve("sentinel"));
        assertThat(sink.filesMatching(at(conf).and(f -> f.category().equals("all"))
                .and(f -> (f.mask() & (FileEvent.IN_OPEN | FileEvent.IN_ACCESS)) != 0))).as("no access events for a plain category").isEmpty();
        assertThat(sink.filesMatching(at(conf, "CREATED"))).hasSize(2);
        assertThat(pub.watchMask(tree.toString()) & InotifyPublisher.ACCESS_MASK).isEqualTo(InotifyPublisher.ACCESS_MASK);
    }

    @Test
    void reconfigureAddsAndRemovesWatchesAndKeepsTheDescriptor() throws IOException {
        Path a = Files.createDirectories(tmp.resolve("a/sub"));
        Path b = Files.createDirectories(tmp.resolve("b/sub"));
        InotifyPublisher pub = start(config(Map.of("a", List.of(tmp.resolve("a") + "/%%"))));
        int fd = pub.inotifyFd();
        assertThat(pub.watchedDirectories()).contains(tmp + "/a", a.toString()).doesNotContain(tmp + "/b", b.toString());
        int before = pub.stats().watchesActive();

        pub.reconfigure(new FileMonitoring(Map.of("b", List.of(tmp.resolve("b") + "/%%")), Map.of(), Set.of("b")));
        assertThat(pub.inotifyFd()).isEqualTo(fd);
        assertThat(pub.watchedDirectories()).contains(tmp + "/b", b.toString()).doesNotContain(tmp + "/a", a.toString());
        assertThat(pub.stats().watchesActive()).isEqualTo(before);
        assertThat(pub.watchMask(b.toString()) & InotifyPublisher.ACCESS_MASK).isEqualTo(InotifyPublisher.ACCESS_MASK);

        write(a.resolve("f"), "x");
        Path g = b.resolve("g");
        write(g, "y");
        FileEvent e = sink.await("event in the added tree", at(g, "CREATED"));
        assertThat(e.category()).isEqualTo("b");
        assertThat(sink.filesMatching(under(tmp.resolve("a")))).as("the removed tree is silent").isEmpty();

        pub.reconfigure(new FileMonitoring(Map.of("b", List.of(tmp.resolve("b") + "/%%")), Map.of(), Set.of()));
        assertThat(pub.watchMask(b.toString()) & InotifyPublisher.ACCESS_MASK).as("access bits dropped").isZero();
    }

    @Test
    void closeReturnsPromptlyAndFreesTheDescriptors() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree/a/b"));
        FileMonitoring cfg = config(Map.of("fim", List.of(tmp.resolve("tree") + "/%%")));
        try (InotifyPublisher warm = new InotifyPublisher(cfg, sink)) {
            warm.start(); // loads JNA and the classes, which keep their own descriptors
        }
        long fdsBefore = openDescriptors();
        InotifyPublisher pub = new InotifyPublisher(cfg, sink);
        pub.start();
        write(tree.resolve("f"), "x");
        sink.await("running", at(tree.resolve("f"), "CREATED"));
        assertThat(openDescriptors()).isGreaterThan(fdsBefore);

        long t0 = System.nanoTime();
        pub.close();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(millis).as("close() duration in ms").isLessThan(1000);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals(InotifyPublisher.THREAD_NAME) && t.isAlive());
        assertThat(openDescriptors()).isEqualTo(fdsBefore);
        assertThat(pub.stats().watchesActive()).isZero();
        pub.close(); // idempotent
    }

    static long openDescriptors() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
