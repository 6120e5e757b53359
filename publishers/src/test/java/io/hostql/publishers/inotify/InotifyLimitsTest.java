package io.hostql.publishers.inotify;

import static io.hostql.publishers.inotify.RecordingSink.at;
import static io.hostql.publishers.inotify.RecordingSink.real;
import static io.hostql.publishers.inotify.RecordingSink.synthetic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.hostql.config.osquery.FileMonitoring;
import io.hostql.events.LossEvent;
import io.hostql.os.Libc;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Kernel limits: queue overflow and running out of watches. Root only (they change inotify limits). */
class InotifyLimitsTest {
    static final Path MAX_QUEUED_EVENTS = Path.of("/proc/sys/fs/inotify/max_queued_events");

    @TempDir
    Path tmpDir;

    final RecordingSink sink = new RecordingSink();

    static boolean isRoot() {
        return Libc.geteuid() == 0;
    }

    @Test
    void queueOverflowIsRecordedAsALossAndFollowedByARescan() throws Exception {
        assumeTrue(isRoot(), "needs root: lowers fs.inotify.max_queued_events (" + MAX_QUEUED_EVENTS + ") to make the kernel queue overflow");
        Path tree = Files.createDirectories(tmpDir.toRealPath().resolve("tree/sub"));
        FileMonitoring cfg = new FileMonitoring(Map.of("fim", List.of(tree.getParent() + "/%%")), Map.of(), Set.of());

        String old = InotifyPublisher.sysctl("fs/inotify/max_queued_events");
        assertThat(old).as("current max_queued_events").matches("\\d+");
        assertThat(Long.parseLong(old)).as("current max_queued_events").isGreaterThan(16);
        InotifyPublisher pub;
        try {
            // Only inotify instances created while the limit is low get the small queue: restore it at once.
            writeSysctl(MAX_QUEUED_EVENTS, "16");
            assertThat(InotifyPublisher.sysctl("fs/inotify/max_queued_events")).isEqualTo("16");
            pub = new InotifyPublisher(cfg, sink);
        } finally {
            writeSysctl(MAX_QUEUED_EVENTS, old);
        }
        assertThat(InotifyPublisher.sysctl("fs/inotify/max_queued_events")).as("restored").isEqualTo(old);
        try (pub) {
            pub.start();
            pub.pauseReading();
            List<Path> files = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Path f = tree.resolve("f" + i);
                Files.writeString(f, "x");
                files.add(f);
            }
            Path newDir = Files.createDirectories(tree.getParent().resolve("made-while-paused/inner"));
            Files.writeString(newDir.resolve("g"), "y");
            pub.resumeReading();

            LossEvent loss = sink.awaitLoss("overflow loss", l -> l.reason().contains("IN_Q_OVERFLOW"));
            assertThat(loss.source()).isEqualTo("inotify");
            assertThat(loss.count()).isEqualTo(-1);
            assertThat(loss.reason()).contains("rescanning").contains(tree.getParent() + "/%%");
            for (Path f : files) sink.await("rescan reports " + f, at(f, "CREATED").and(synthetic()));
            sink.await("rescan reports a directory made while events were lost", at(newDir.resolve("g"), "CREATED").and(synthetic()));
            assertThat(pub.stats().overflows()).isGreaterThanOrEqualTo(1);
            assertThat(pub.stats().losses()).isGreaterThanOrEqualTo(1);
            assertThat(pub.watchedDirectories()).as("the rescan re-placed the watches").contains(newDir.toString());

            Path after = newDir.resolve("after");
            Files.writeString(after, "z");
            sink.await("events flow after the rescan", at(after, "CREATED").and(real()));
        }
    }

    /**
     * Running out of watches, without lowering the host-wide fs.inotify.max_user_watches (other processes of
     * root would fail too): the inotify instance is created by a child process in its own user namespace,
     * whose max_inotify_watches is 4 (watches are charged to the user namespace that created the instance),
     * and taken over with pidfd_getfd(2).
     */
    @Test
    void runningOutOfWatchesIsLoggedOnceRecordedAsALossAndTheRestKeepsWorking() throws Exception {
        assumeTrue(isRoot(), "needs root: takes over a descriptor of a child process with pidfd_getfd(2)");
        int initSyscall = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 294;
            case "aarch64" -> 26;
            default -> -1;
        };
        assumeTrue(initSyscall > 0, "inotify_init1 syscall number unknown for " + System.getProperty("os.arch"));
        assumeTrue(onPath("unshare") && onPath("perl"), "needs unshare(1) and perl to make an inotify instance in a user namespace");

        Path root = tmpDir.toRealPath().resolve("tree");
        for (int i = 0; i < 8; i++) Files.createDirectories(root.resolve("d" + i));
        int fd = inotifyWithWatchLimit(4, initSyscall);

        Logger logger = (Logger) LoggerFactory.getLogger(InotifyPublisher.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try (InotifyPublisher pub = new InotifyPublisher(new FileMonitoring(Map.of("fim", List.of(root + "/%%")), Map.of(), Set.of()), sink, fd)) {
            pub.start();
            LossEvent loss = sink.awaitLoss("watch limit loss", l -> l.reason().startsWith("watch limit reached: "));
            assertThat(loss.source()).isEqualTo("inotify");
            assertThat(loss.reason()).matches("watch limit reached: " + root + "/d\\d and 4 more not watched");
            assertThat(pub.stats().watchesActive()).isEqualTo(4);
            assertThat(pub.stats().watchErrors()).isEqualTo(5);
            Set<String> watched = pub.watchedDirectories();
            assertThat(watched).contains(root.toString()).hasSize(4);

            // Events still flow for what is watched: the root and a subdirectory that got its watch.
            Path top = root.resolve("top.txt");
            Files.writeString(top, "x");
            sink.await("event in the watched root", at(top, "CREATED").and(real()));
            String sub = watched.stream().filter(s -> !s.equals(root.toString())).findFirst().orElseThrow();
            Path inSub = Path.of(sub, "f.txt");
            Files.writeString(inSub, "x");
            sink.await("event in a watched subdirectory", at(inSub, "CREATED"));

            // A new directory that cannot be watched: another loss record, but no second ERROR line.
            Files.createDirectories(root.resolve("d9"));
            sink.awaitLoss("second loss", l -> l.reason().equals("watch limit reached: " + root + "/d9 and 0 more not watched"));
            List<ILoggingEvent> errors = logs.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
            assertThat(errors).hasSize(1);
            String message = errors.get(0).getFormattedMessage();
            assertThat(message).contains("fs.inotify.max_user_watches = " + InotifyPublisher.sysctl("fs/inotify/max_user_watches"))
                    .contains(root + "/d").contains("4 more").contains("sysctl -w fs.inotify.max_user_watches=");
            assertThat(pub.stats().losses()).isEqualTo(2);
        } finally {
            logger.detachAppender(logs);
        }
    }

    /** An inotify descriptor (non-blocking) charged to a fresh user namespace whose watch limit is {@code limit}. */
    static int inotifyWithWatchLimit(int limit, int initSyscall) throws Exception {
        String perl = "my $fd = syscall(" + initSyscall + ", 2048); print \"$fd\\n\"; $| = 1; <STDIN>;";
        Process child = new ProcessBuilder("unshare", "--user", "--map-root-user", "sh", "-c",
                "echo " + limit + " > /proc/sys/user/max_inotify_watches && exec perl -e '" + perl + "'")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as("inotify descriptor number from the child").isNotNull().matches("\\d+");
            int pidfd = (int) Libc.syscall(Libc.SYS_PIDFD_OPEN, child.pid(), 0, 0);
            assertThat(pidfd).as("pidfd_open").isGreaterThanOrEqualTo(0);
            int fd = (int) Libc.syscall(Libc.SYS_PIDFD_GETFD, pidfd, Integer.parseInt(line), 0);
            Libc.close(pidfd);
            assertThat(fd).as("pidfd_getfd").isGreaterThanOrEqualTo(0);
            return fd;
        } finally {
            child.getOutputStream().close();
            if (!child.waitFor(5, TimeUnit.SECONDS)) child.destroyForcibly();
        }
    }

    /** One write from offset 0 (what sysctl(8) does). */
    static void writeSysctl(Path p, String value) throws IOException {
        try (OutputStream out = Files.newOutputStream(p, StandardOpenOption.WRITE)) {
            out.write(value.getBytes(StandardCharsets.US_ASCII));
        }
    }

    static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) return true;
        }
        return false;
    }
}
