package io.hostql.publishers.audit;

import static io.hostql.publishers.audit.AuditWitness.run;
import static io.hostql.publishers.audit.AuditWitness.state;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.LossEvent;
import io.hostql.events.ProcessEvent;
import io.hostql.events.SocketEvent;
import io.hostql.events.UserEvent;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher in owner mode on the real kernel: what a child process does comes back as typed
 * events, exactly, and the kernel's audit settings are as before once it is closed (auditctl is the witness).
 */
class AuditPublisherTest {
    @TempDir
    static Path state;
    static String before;
    static AuditTestSupport.Sink sink;
    static AuditPublisher publisher;
    static final int READER_BOOST = 4;

    @BeforeAll
    static void start() throws Exception {
        AuditTestSupport.assumeRootWithAudit();
        before = state();
        sink = new AuditTestSupport.Sink();
        publisher = new AuditPublisher(new AuditPublisher.Config(AuditPublisher.Mode.OWNER, true, true, true, true, true, 8192, 0, state,
                SecurityRecords.NONE, SyscallGroups.NONE, 0, READER_BOOST), AuditDecoder.decoding(sink));
        try {
            publisher.start();
        } catch (Exception e) {
            AuditWitness.restore(before);
            throw e;
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (publisher == null) return;
        try {
            publisher.close();
            assertThat(state()).as("audit settings after close").isEqualTo(before);
            assertThat(state.resolve(AuditControl.STATE_FILE)).doesNotExist();
        } finally {
            if (!state().equals(before)) AuditWitness.restore(before);
        }
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void ownerModeInstallsKeyedRulesAndRegisters() throws Exception {
        String s = run("auditctl", "-s");
        assertThat(s).contains("pid " + ProcessHandle.current().pid()).contains("enabled 1").contains("backlog_limit 8192");
        assertThat(run("auditctl", "-l")).contains("-S execve,execveat").contains("key=hostql").contains("-F pid!=" + ProcessHandle.current().pid());
    }

    @Test
    void theReaderThreadAloneRunsAtTheBoostedNiceValue() throws Exception {
        Path reader = null;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                if (Files.readString(t.resolve("comm")).strip().equals(AuditPublisher.THREAD_NAME)) reader = t;
            }
        }
        assertThat(reader).as("the thread " + AuditPublisher.THREAD_NAME).isNotNull();
        int mine = nice(Path.of("/proc/thread-self"));
        assertThat(nice(reader)).as("the reader's nice value").isEqualTo(Math.max(-20, mine - READER_BOOST));
        assertThat(nice(Path.of("/proc/self"))).as("the main thread's").isEqualTo(mine);
    }

    /** Field 19 of /proc/.../stat, counted after the command name (which may hold spaces and parentheses). */
    private static int nice(Path task) throws Exception {
        String stat = Files.readString(task.resolve("stat"));
        return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]);
    }

    @Test
    void echoIsOneEventWithItsCommandLinePathAndParent() throws Exception {
        String marker = "hostql-" + UUID.randomUUID();
        assertThat(run("/bin/echo", marker)).isEqualTo(marker + "\n");
        ProcessEvent e = sink.await("the echo", ProcessEvent.class, p -> text(p.cmdline()).equals("/bin/echo " + marker), 30_000);
        assertThat(text(e.exe())).isEqualTo(Path.of("/bin/echo").toRealPath().toString());
        assertThat(e.ppid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(e.syscall()).isEqualTo("execve");
        assertThat(e.success()).isTrue();
        assertThat(e.argc()).isEqualTo(2);
        assertThat(e.flags()).isZero();
        assertThat(e.mode() & 0170000).isEqualTo(0100000);
        assertThat(text(e.cwd())).isEqualTo(Path.of("").toAbsolutePath().toString());
        Thread.sleep(500);
        assertThat(sink.of(ProcessEvent.class, p -> text(p.cmdline()).contains(marker))).hasSize(1);
    }

    @Test
    void twoHundredArgumentsComeBackIntact() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/bin/true"));
        String marker = UUID.randomUUID().toString();
        for (int i = 0; i < 200; i++) cmd.add(marker + "-" + i + "-" + "x".repeat(i * 10));
        run(cmd.toArray(new String[0]));
        ProcessEvent e = sink.await("/bin/true with 200 arguments", ProcessEvent.class,
                p -> p.argv().length > 1 && text(p.argv()[1]).startsWith(marker), 30_000);
        assertThat(e.argc()).isEqualTo(201);
        assertThat(e.argv().length).isEqualTo(201);
        for (int i = 0; i < cmd.size(); i++) assertThat(text(e.argv()[i])).isEqualTo(cmd.get(i));
    }

    @Test
    void spacesQuotesAndNonUtf8BytesComeBackIntact() throws Exception {
        String marker = UUID.randomUUID().toString();
        // The non-UTF-8 bytes go through a shell script, since Java's process arguments are Strings.
        Path script = Files.createTempFile(state, "args", ".sh");
        Files.write(script, ("exec /bin/true '" + marker + "' 'two words' 'a \"quoted\" one' \"it's\" $'\\xff\\xfe-latin1-\\xe9' '' 'tab\there'\n")
                .getBytes(StandardCharsets.UTF_8));
        run("/bin/bash", script.toString());
        ProcessEvent e = sink.await("/bin/true with odd arguments", ProcessEvent.class,
                p -> p.argv().length > 1 && text(p.argv()[1]).equals(marker), 30_000);
        assertThat(e.argv().length).isEqualTo(8);
        assertThat(text(e.argv()[2])).isEqualTo("two words");
        assertThat(text(e.argv()[3])).isEqualTo("a \"quoted\" one");
        assertThat(text(e.argv()[4])).isEqualTo("it's");
        assertThat(e.argv()[5]).isEqualTo(new byte[] {(byte) 0xff, (byte) 0xfe, '-', 'l', 'a', 't', 'i', 'n', '1', '-', (byte) 0xe9});
        assertThat(e.argv()[6]).isEmpty();
        assertThat(text(e.argv()[7])).isEqualTo("tab\there");
    }

    @Test
    void aHugeArgumentIsReassembledFromItsPieces() throws Exception {
        String marker = UUID.randomUUID().toString();
        String big = marker + "y".repeat(100_000);
        run("/bin/true", "small", big, "after");
        ProcessEvent e = sink.await("/bin/true with a 100 kB argument", ProcessEvent.class,
                p -> p.argv().length == 4 && text(p.argv()[2]).startsWith(marker), 30_000);
        assertThat(text(e.argv()[2])).isEqualTo(big);
        assertThat(text(e.argv()[3])).isEqualTo("after");
    }

    @Test
    void connectToALocalListenerIsASocketEventWithTheAddress() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            int port = server.getLocalPort();
            Thread acceptor = new Thread(() -> {
                try {
                    server.accept().close();
                } catch (Exception ignored) {
                    // the test fails on the assertions below
                }
            });
            acceptor.start();
            String local = run("python3", "-c", "import socket; s = socket.create_connection(('127.0.0.1', " + port + ")); "
                    + "print(s.getsockname()[1]); s.close()").strip();
            acceptor.join(5000);
            SocketEvent e = sink.await("python's connect", SocketEvent.class, s -> s.syscall().equals("connect") && s.sockaddr() != null
                    && s.sockaddr().length >= 8 && s.sockaddr()[0] == 2 && ((s.sockaddr()[2] & 0xff) << 8 | (s.sockaddr()[3] & 0xff)) == port, 30_000);
            assertThat(Arrays.copyOfRange(e.sockaddr(), 4, 8)).isEqualTo(new byte[] {127, 0, 0, 1});
            assertThat(text(e.exe())).contains("python3");
            assertThat(e.success()).isTrue();
            assertThat(Integer.parseInt(local)).isPositive();
            // the accept is hostql's own (this JVM) and is ignored
            Thread.sleep(300);
            assertThat(sink.of(SocketEvent.class, s -> s.pid() == ProcessHandle.current().pid())).isEmpty();
        }
    }

    @Test
    void pamSessionIsAUserEvent() throws Exception {
        run("runuser", "-u", "nobody", "--", "/bin/true");
        UserEvent e = sink.await("runuser's PAM session", UserEvent.class,
                u -> u.recordType() == 1105 && u.exe() != null && text(u.exe()).endsWith("/runuser"), 30_000);
        assertThat(text(e.message())).contains("op=PAM:session_open").contains("res=success");
        assertThat(e.uid()).isZero();
    }

    @Test
    void nothingIsLostAtThisPace() {
        assertThat(sink.of(LossEvent.class, l -> true)).isEmpty();
        assertThat(publisher.stats().malformed()).isZero();
    }
}
