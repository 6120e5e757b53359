package io.hostql.os.yara;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The libyara binding against real rules and files, with the yara CLI (same libyara) as the witness. */
class YaraTest {
    static final String RULES = """
            rule marker_rule : evil test
            {
              strings:
                $a = "HOSTQL-YARA-MARKER"
                $b = { 48 4f 53 54 }
              condition:
                $a and $b
            }
            rule absent { strings: $x = "not-in-any-file-zz" condition: $x }
            rule private_strings { strings: $p = "HOSTQL" private condition: $p }
            """;

    @TempDir
    static Path dir;

    @BeforeAll
    static void libyara() {
        Assumptions.assumeTrue(Yara.problem() == null, "libyara is not installed: " + Yara.problem());
    }

    @Test
    void fileMatchesAsTheYaraCliSeesThem() throws Exception {
        Path rules = write("r.yar", RULES);
        Path target = write("target.txt", "xxxxHOSTQL-YARA-MARKER yyy HOSTQL-YARA-MARKER\n");
        YaraMatches m = scan(rules, target);
        assertThat(m.count()).isEqualTo(2);
        assertThat(m.matchesText()).isEqualTo("marker_rule,private_strings");
        assertThat(m.stringsText()).isEqualTo("$a:4,$b:4"); // fast mode: each string's first match; private ones never
        assertThat(m.tagsText()).isEqualTo("evil,test");
        // yara -f (fast mode, as osquery) -s (strings) -g (tags)
        List<String> cli = yaraCli("-f", "-s", "-g", rules.toString(), target.toString());
        assertThat(cli).contains("marker_rule [evil,test] " + target, "0x4:$a: HOSTQL-YARA-MARKER", "0x4:$b: 48 4F 53 54",
                "private_strings [] " + target);
        assertThat(cli.stream().filter(l -> !l.startsWith("0x")).count()).isEqualTo(m.count());
    }

    @Test
    void aFileWithoutTheMarkerMatchesNothing() throws Exception {
        Path rules = write("r2.yar", RULES);
        Path target = write("clean.txt", "nothing to see\n");
        YaraMatches m = scan(rules, target);
        assertThat(m.count()).isZero();
        assertThat(m.matchesText()).isEmpty();
        assertThat(yaraCli(rules.toString(), target.toString())).isEmpty();
    }

    @Test
    void aGroupOfFilesCompilesTogetherAndASavedRuleFileLoads() throws Exception {
        Path one = write("one.yar", "rule one { strings: $a = \"HOSTQL-YARA-MARKER\" condition: $a }");
        Path two = write("two.yar", "rule two { condition: filesize > 0 }");
        Path target = write("t3.txt", "HOSTQL-YARA-MARKER");
        YaraMatches m = new YaraMatches();
        try (YaraRules r = Yara.compileFiles(List.of(one, two)); YaraScanner s = r.scanner(0)) {
            s.scanFile(target.toString(), m);
        }
        assertThat(m.rules()).containsExactly("one", "two");
        Path saved = dir.resolve("saved.yarc");
        Assumptions.assumeTrue(run("yarac", one.toString(), saved.toString()).isEmpty() || Files.exists(saved), "yarac failed");
        YaraMatches fromSaved = new YaraMatches();
        try (YaraRules r = Yara.compileFiles(List.of(saved)); YaraScanner s = r.scanner(0)) {
            s.scanFile(target.toString(), fromSaved);
        }
        assertThat(fromSaved.rules()).containsExactly("one");
    }

    @Test
    void aRuleThatDoesNotCompileSaysWhereAndWhy() throws Exception {
        Path bad = write("bad.yar", "rule broken {\n  strings: $a = \"x\"\n  condition: $b\n}\n");
        assertThatThrownBy(() -> Yara.compileFiles(List.of(bad))).isInstanceOf(YaraException.class)
                .hasMessageContaining(bad + "(").hasMessageContaining("undefined string \"$b\"");
        assertThatThrownBy(() -> Yara.compileText("rule { }")).isInstanceOf(YaraException.class)
                .hasMessageContaining("rule text(1)");
        assertThatThrownBy(() -> Yara.compileFiles(List.of(dir.resolve("missing.yar")))).isInstanceOf(YaraException.class)
                .hasMessageContaining("missing.yar").hasMessageContaining("does not exist");
    }

    @Test
    void aFileIsScannedWithItsOwnSizeFromMemoryOrFromLibyarasMapping() throws Exception {
        YaraRules rules = Yara.compileText("rule empty { condition: filesize == 0 }\nrule sized { condition: filesize == 5 }\n"
                + "rule big { condition: filesize > " + YaraScanner.IN_MEMORY_MAX + " and uint8(filesize - 1) == 0x7a }");
        Path empty = write("empty.txt", "");
        Path five = write("five.txt", "12345");
        Path big = dir.resolve("big.bin"); // above the in-memory bound: libyara maps it, as before
        try (var f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(YaraScanner.IN_MEMORY_MAX + 1);
            f.seek(YaraScanner.IN_MEMORY_MAX);
            f.write('z');
        }
        try (rules; YaraScanner s = rules.scanner(10)) {
            YaraMatches m = new YaraMatches();
            s.scanFile(empty.toString(), m);
            assertThat(m.rules()).containsExactly("empty");
            m = new YaraMatches();
            s.scanFile(five.toString(), m);
            assertThat(m.rules()).containsExactly("sized");
            m = new YaraMatches();
            s.scanFile(big.toString(), m);
            assertThat(m.rules()).containsExactly("big");
        } finally {
            Files.deleteIfExists(big);
        }
    }

    @Test
    void anUnreadableTargetIsAnError() throws Exception {
        try (YaraRules r = Yara.compileText(RULES); YaraScanner s = r.scanner(10)) {
            assertThatThrownBy(() -> s.scanFile(dir.resolve("nope").toString(), new YaraMatches()))
                    .isInstanceOf(YaraException.class).hasMessageContaining("could not open the file");
        }
    }

    @Test
    void processMemoryHoldsTheMarker() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "scanning another process's memory needs root (ptrace)");
        // The marker is built at run time, so it is in the process's heap, not only in its command line.
        Process p = new ProcessBuilder("python3", "-c",
                "import sys,time; s=sys.argv[1]+'-MARKER'; print('ready', flush=True); time.sleep(60)", "HOSTQL-YARA").start();
        try {
            assertThat(new String(p.getInputStream().readNBytes(6), StandardCharsets.UTF_8)).isEqualTo("ready\n");
            YaraMatches m = new YaraMatches();
            try (YaraRules r = Yara.compileText(RULES); YaraScanner s = r.scanner(30)) {
                s.scanProcess((int) p.pid(), m);
            }
            assertThat(m.rules()).contains("marker_rule");
            Path rules = write("p.yar", RULES);
            assertThat(yaraCli(rules.toString(), Long.toString(p.pid()))).contains("marker_rule " + p.pid());
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void scannersOnSeveralThreadsShareTheRules() throws Exception {
        Path target = write("t4.txt", "HOSTQL-YARA-MARKER");
        try (YaraRules r = Yara.compileText(RULES)) {
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.atomic.AtomicInteger hits = new java.util.concurrent.atomic.AtomicInteger();
            for (int t = 0; t < 4; t++) {
                Thread thread = new Thread(() -> {
                    try (YaraScanner s = r.scanner(10)) {
                        for (int i = 0; i < 200; i++) {
                            YaraMatches m = new YaraMatches();
                            s.scanFile(target.toString(), m);
                            if (m.rules().contains("marker_rule")) hits.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                thread.start();
                threads.add(thread);
            }
            for (Thread t : threads) t.join();
            assertThat(failures).isEmpty();
            assertThat(hits.get()).isEqualTo(800);
        }
    }

    /** One file's matches with the rules of one rule file. */
    static YaraMatches scan(Path rules, Path target) throws YaraException {
        YaraMatches m = new YaraMatches();
        try (YaraRules r = Yara.compileFiles(List.of(rules)); YaraScanner s = r.scanner(10)) {
            s.scanFile(target.toString(), m);
        }
        return m;
    }

    static Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    static List<String> yaraCli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("yara"));
        cmd.addAll(List.of(args));
        Assumptions.assumeTrue(new java.io.File("/usr/bin/yara").canExecute(), "the yara CLI (Debian package yara) is the witness");
        return run(cmd.toArray(String[]::new));
    }

    static List<String> run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        p.waitFor(30, TimeUnit.SECONDS);
        return lines;
    }
}
