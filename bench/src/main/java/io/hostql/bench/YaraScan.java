package io.hostql.bench;

import io.hostql.config.Settings;
import io.hostql.sql.Database;
import io.hostql.tables.LinuxTables;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The yara table scanning N files with a rule file, against the yara CLI (the same libyara) scanning the
 * same directory in fast mode, single-threaded as the table is and with its default threads, interleaved,
 * medians. The files are random text, one in 50 holding a marker that one of the rules finds.
 */
final class YaraScan {
    private YaraScan() {}

    static final String RULES = """
            rule marker : bench { strings: $a = "HOSTQL-BENCH-MARKER" condition: $a }
            rule hex_pattern { strings: $h = { 4D 5A 90 00 03 ?? ?? 00 } condition: $h }
            rule regex_url { strings: $r = /https?:\\/\\/[a-z]{5,}\\.evil\\.example\\// condition: $r }
            rule several { strings: $x = "password=" nocase $y = "BEGIN PRIVATE KEY" $z = "eval(base64_decode" condition: 2 of them }
            rule elf { condition: uint32(0) == 0x464c457f }
            """;

    static String run(Path home, Path tmp, int files, int runs) throws Exception {
        Path dir = tmp.resolve("yara-scan");
        if (Files.exists(dir)) try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Path targets = Files.createDirectories(dir.resolve("files"));
        Path rules = Files.writeString(dir.resolve("bench.yar"), RULES);
        Random random = new Random(42);
        int size = 16 * 1024;
        for (int i = 0; i < files; i++) {
            byte[] b = new byte[size];
            for (int j = 0; j < size; j++) b[j] = (byte) (' ' + random.nextInt(95));
            if (i % 50 == 0) System.arraycopy("HOSTQL-BENCH-MARKER".getBytes(StandardCharsets.US_ASCII), 0, b, size / 2, 19);
            Files.write(targets.resolve("f" + i + ".txt"), b);
        }
        String sql = "SELECT count(*), sum(count) FROM yara WHERE path LIKE '" + targets + "/%' AND sigfile = '" + rules + "'";
        List<String> one = List.of("yara", "-f", "-p", "1", rules.toString(), targets.toString());
        List<String> threads = List.of("yara", "-f", rules.toString(), targets.toString());
        List<String> shell = List.of(home.resolve("bin/hostqli").toString(), "--yara_delay=0", "--json", sql);
        double[] warm = new double[runs], cold = new double[runs], cliOne = new double[runs], cliThreads = new double[runs];
        long scanned, matched;
        // yara_delay 0: osquery's default sleeps 50 ms after each file (N x 50 ms), which would measure only the sleep.
        try (Database db = Database.open(LinuxTables.registry(Settings.defaults().withOptions(Map.of("yara_delay", "0"))))) {
            Object[] r = db.query(sql).rows().get(0);
            scanned = (Long) r[0];
            matched = (Long) r[1];
            Measure.time(shell);
            Measure.time(one);
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                db.query(sql);
                warm[i] = (System.nanoTime() - t0) / 1e9;
                cold[i] = Measure.time(shell);
                cliOne[i] = Measure.time(one);
                cliThreads[i] = Measure.time(threads);
            }
        }
        String cliOut = Measure.run(one.toArray(String[]::new));
        long cliMatched = cliOut.isBlank() ? 0 : cliOut.strip().split("\n").length;
        double base = Measure.median(cliOne);
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"hostql, warm engine: `yara` table, sigfile, path LIKE", ms(Measure.median(warm)), ratio(Measure.median(warm), base)});
        rows.add(new String[] {"`bin/hostqli --yara_delay=0 --json` (cold shell, JVM start and rule compile included)", ms(Measure.median(cold)),
                ratio(Measure.median(cold), base)});
        rows.add(new String[] {"`yara -f -p 1` (fast mode, one thread)", ms(base), "1.00"});
        rows.add(new String[] {"`yara -f` (fast mode, its default threads)", ms(Measure.median(cliThreads)), ratio(Measure.median(cliThreads), base)});
        StringBuilder md = new StringBuilder("## yara table against the yara CLI (issue 13 §6)\n\n")
                .append("`").append(sql.replace(targets.toString(), "DIR").replace(rules.toString(), "bench.yar")).append("` over ").append(files)
                .append(" files of 16 KiB of random text (one in 50 with a marker) and 5 rules (a string, a hex pattern with\n")
                .append("wildcards, a regex, a 2-of-3 with nocase, an ELF header check). Baseline: the yara CLI (Debian's 4.2.3, the same\n")
                .append("libyara) on the same directory. hostql scanned ").append(scanned).append(" files and found ").append(matched)
                .append(" matches; the CLI matched ").append(cliMatched).append(" files.\n")
                .append("hostql runs with yara_delay=0: osquery's default of 50 ms after each file would add ").append(files / 20)
                .append(" s of sleep. Medians of ").append(runs).append(" interleaved runs after a warm-up; ").append(Measure.loadNote())
                .append(". When the machine is shared with other builds, absolute times are inflated and the ratios are rough.\n\n")
                .append("| run | median | ratio to yara -p 1 |\n|---|---|---|\n");
        for (String[] r : rows) md.append("| ").append(String.join(" | ", r)).append(" |\n");
        return md.append('\n').toString();
    }

    private static String ms(double seconds) {
        return Measure.f(seconds * 1000, 1) + " ms";
    }

    private static String ratio(double v, double base) {
        return Measure.f(v / base, 2);
    }
}
