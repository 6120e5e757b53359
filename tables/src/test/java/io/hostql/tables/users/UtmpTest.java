package io.hostql.tables.users;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UtmpTest {
    /** One x86_64 struct utmp, laid out field by field. */
    static byte[] record(int type, int pid, String line, String id, String user, String host, int session, int sec, int usec) {
        ByteBuffer b = ByteBuffer.allocate(384).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) type);
        b.putInt(4, pid);
        put(b, 8, line, 32);
        put(b, 40, id, 4);
        put(b, 44, user, 32);
        put(b, 76, host, 256);
        b.putShort(332, (short) 3).putShort(334, (short) 4);
        b.putInt(336, session).putInt(340, sec).putInt(344, usec);
        b.put(348, (byte) 10).put(351, (byte) 5); // 10.0.0.5
        return b.array();
    }

    private static void put(ByteBuffer b, int off, String s, int max) {
        byte[] v = s.getBytes(StandardCharsets.UTF_8);
        b.put(off, v, 0, Math.min(v.length, max));
    }

    private static Path synthesized(Path dir) throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(record(Utmp.BOOT_TIME, 0, "~", "~~", "reboot", "6.1.0-18-amd64", 0, 1700000000, 0));
        o.write(record(Utmp.RUN_LVL, 53, "~", "~~", "runlevel", "6.1.0-18-amd64", 0, 1700000001, 0));
        o.write(record(Utmp.INIT_PROCESS, 1, "", "si", "", "", 0, 1700000002, 0));
        o.write(record(Utmp.LOGIN_PROCESS, 600, "tty1", "tty1", "LOGIN", "", 0, 1700000003, 0));
        o.write(record(Utmp.USER_PROCESS, 4242, "pts/0", "ts/0", "alice", "10.0.0.5", 7, 1700000100, 250000));
        o.write(record(Utmp.DEAD_PROCESS, 4242, "pts/0", "ts/0", "", "", 7, 1700000200, 0));
        // a user name filling all 32 bytes has no NUL: it must not run into the host field
        o.write(record(Utmp.USER_PROCESS, 4343, "pts/1", "ts/1", "a".repeat(32), "host.example", 8, 1700000300, 0));
        o.write(new byte[100]); // a torn trailing record is ignored
        Path f = dir.resolve("utmp");
        Files.write(f, o.toByteArray());
        return f;
    }

    @Test
    void parsesSynthesizedRecords(@TempDir Path dir) throws Exception {
        List<Utmp.Record> r = Utmp.read(synthesized(dir), Utmp.Layout.TIME32);
        assertThat(r).hasSize(7);
        Utmp.Record alice = r.get(4);
        assertThat(alice.type()).isEqualTo(Utmp.USER_PROCESS);
        assertThat(alice.pid()).isEqualTo(4242);
        assertThat(alice.line()).isEqualTo("pts/0");
        assertThat(alice.id()).isEqualTo("ts/0");
        assertThat(alice.user()).isEqualTo("alice");
        assertThat(alice.host()).isEqualTo("10.0.0.5");
        assertThat(alice.exitTermination()).isEqualTo(3);
        assertThat(alice.exitStatus()).isEqualTo(4);
        assertThat(alice.session()).isEqualTo(7);
        assertThat(alice.timeSec()).isEqualTo(1700000100L);
        assertThat(alice.timeUsec()).isEqualTo(250000L);
        assertThat(alice.addrV6()).startsWith((byte) 10, (byte) 0, (byte) 0, (byte) 5);
        assertThat(r.get(6).user()).isEqualTo("a".repeat(32));
        assertThat(r.get(6).host()).isEqualTo("host.example");
    }

    @Test
    void loggedInUsersListsEveryRecordButInits(@TempDir Path dir) throws Exception {
        List<Map<String, Object>> r = generate(new LoggedInUsersTable(synthesized(dir)));
        assertThat(r).extracting(m -> m.get("type")).containsExactly("boot_time", "runlevel", "login", "user", "dead", "user");
        assertThat(r.get(3)).containsEntry("user", "alice").containsEntry("tty", "pts/0").containsEntry("host", "10.0.0.5")
                .containsEntry("time", 1700000100L).containsEntry("pid", 4242L);
    }

    @Test
    void lastListsLoginsAndLogouts(@TempDir Path dir) throws Exception {
        List<Map<String, Object>> r = generate(new LastTable(synthesized(dir)));
        assertThat(r).extracting(m -> m.get("type_name")).containsExactly("user-process", "dead-process", "user-process");
        assertThat(r.get(0)).containsEntry("username", "alice").containsEntry("tty", "pts/0").containsEntry("pid", 4242L)
                .containsEntry("type", 7L).containsEntry("time", 1700000100L).containsEntry("host", "10.0.0.5");
        assertThat(r.get(1)).containsEntry("type", 8L).containsEntry("username", "");
    }

    @Test
    void missingFileHasNoRows(@TempDir Path dir) throws Exception {
        assertThat(generate(new LastTable(dir.resolve("nope")))).isEmpty();
        assertThat(generate(new LoggedInUsersTable(dir.resolve("nope")))).isEmpty();
    }

    @Test
    void readsWhatUtilLinuxWrites(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(hasCommand("utmpdump"), "utmpdump (util-linux) writes the witness file");
        Assumptions.assumeTrue(Utmp.Layout.host() == Utmp.Layout.TIME32, "the record below is checked on x86_64");
        String text = "[7] [31337] [ts/3] [carol   ] [pts/3       ] [192.168.1.20        ] [192.168.1.20   ] [2023-11-14T22:13:20,500000+00:00]\n"
                + "[8] [31337] [ts/3] [        ] [pts/3       ] [                    ] [0.0.0.0        ] [2023-11-14T23:13:20,000000+00:00]\n"
                + "[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-18-amd64      ] [0.0.0.0        ] [2023-11-14T20:00:00,000000+00:00]\n";
        Path txt = dir.resolve("wtmp.txt"), bin = dir.resolve("wtmp");
        Files.writeString(txt, text);
        Process p = new ProcessBuilder("utmpdump", "-r").redirectInput(txt.toFile()).redirectOutput(bin.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor()).isZero();
        assertThat(Files.size(bin)).isEqualTo(3 * 384);
        List<Map<String, Object>> last = generate(new LastTable(bin));
        assertThat(last).hasSize(2);
        assertThat(last.get(0)).containsEntry("username", "carol").containsEntry("tty", "pts/3").containsEntry("pid", 31337L)
                .containsEntry("type", 7L).containsEntry("type_name", "user-process").containsEntry("time", 1700000000L)
                .containsEntry("host", "192.168.1.20");
        assertThat(last.get(1)).containsEntry("type_name", "dead-process").containsEntry("time", 1700003600L);
        assertThat(generate(new LoggedInUsersTable(bin))).extracting(m -> m.get("type")).containsExactly("user", "dead", "boot_time");
    }

    @Test
    void realFilesAgreeWithUtmpdump() {
        Assumptions.assumeTrue(hasCommand("utmpdump"), "utmpdump (util-linux) is the witness");
        for (String[] t : new String[][] {{"/var/run/utmp", "SELECT user AS u, tty AS t, time, pid FROM logged_in_users"},
                {"/var/log/wtmp", "SELECT username AS u, tty AS t, time, pid FROM last"}}) {
            Path f = Path.of(t[0]);
            long[] expected;
            if (!Files.isReadable(f)) {
                expected = new long[0];
            } else {
                // utmpdump prints one bracketed line per record: [type] [pid] [id] [user] [line] [host] [addr] [time]
                boolean last = t[0].endsWith("wtmp");
                expected = Arrays.stream(run("utmpdump", t[0]).split("\n")).filter(l -> l.startsWith("["))
                        .map(l -> l.substring(1).split("\\] \\[")).filter(c -> last ? c[0].equals("7") || c[0].equals("8") : !c[1].strip().equals("1"))
                        .mapToLong(c -> Long.parseLong(c[1].strip())).toArray();
            }
            long[] actual = rows(t[1]).stream().mapToLong(m -> (Long) m.get("pid")).toArray();
            assertThat(actual).as(t[0] + " pids in record order").containsExactly(expected);
        }
    }
}
