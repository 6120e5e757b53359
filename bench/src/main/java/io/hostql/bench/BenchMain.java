package io.hostql.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Runs the benchmarks and writes docs/benchmarks.md. Run through {@code bench/run} (which builds,
 * installs the baseline tools and passes the JVM flags): {@code bench/run [startup,query,journal,storm,window,exec]}.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getProperty("hostql.home", ".")).toAbsolutePath().normalize();
        Path out = home.resolve("docs/benchmarks.md");
        Set<String> which = Set.copyOf(Arrays.asList((args.length > 0 ? args[0] : "startup,query,journal,storm,window,exec").split(",")));
        Path tmp = Files.createDirectories(home.resolve("bench/target/tmp"));
        StringBuilder md = new StringBuilder("# hostql benchmarks\n\n")
                .append("Written by `bench/run` (").append(String.join(",", which.stream().sorted().toList())).append(") on ")
                .append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append(".\n\n")
                .append("- Machine: ").append(Measure.run("sh", "-c", "lscpu | sed -n 's/^Model name: *//p' | head -1"))
                .append(", ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ")
                .append(Measure.run("sh", "-c", "free -g | awk '/Mem:/{print $2}'")).append(" GiB RAM, kernel ")
                .append(Measure.run("uname", "-r")).append("\n")
                .append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version"))
                .append("\n- SQLite: ").append(io.hostql.sql.sqlite.Sqlite.version())
                .append("\n- Every figure is compared with a baseline measured in the same run; these VMs are noisy, so the ratios matter more than absolute times.\n\n");
        if (which.contains("startup")) md.append(section(() -> ColdStart.run(home, 10)));
        if (which.contains("query")) md.append(section(() -> QueryLatency.run(10)));
        if (which.contains("journal")) md.append(section(() -> JournalThroughput.run(tmp, 2_000_000, 5)));
        if (which.contains("storm")) md.append(section(() -> FileStorm.run(home, tmp, Integer.getInteger("storm.files", 100_000), List.of(16384, 524288))));
        if (which.contains("window")) md.append(section(() -> TimeWindow.run(tmp, Long.getLong("window.rows", 10_000_000L), 20)));
        if (which.contains("exec")) md.append(section(() -> ExecStorm.run(home, tmp, Integer.getInteger("exec.seconds", 30), List.of(100.0, 333.0, 1000.0, 0.0))));
        Files.createDirectories(out.getParent());
        Files.writeString(out, keepOtherSections(out, md.toString()));
        System.out.println(md);
    }

    /**
     * The new text, followed by the sections of the existing file that this run did not produce, so
     * {@code bench/run exec} updates its own section and keeps the others' last figures.
     */
    static String keepOtherSections(Path file, String fresh) throws java.io.IOException {
        if (!Files.exists(file)) return fresh;
        Set<String> produced = new java.util.HashSet<>();
        for (String line : fresh.split("\n")) if (line.startsWith("## ")) produced.add(line);
        StringBuilder kept = new StringBuilder();
        boolean keep = false;
        for (String line : Files.readString(file).split("\n", -1)) {
            if (line.startsWith("## ")) keep = !produced.contains(line);
            else if (line.startsWith("# ")) keep = false;
            if (keep) kept.append(line).append('\n');
        }
        return kept.length() == 0 ? fresh : fresh + kept.toString().stripTrailing() + "\n";
    }

    interface Section {
        String run() throws Exception;
    }

    private static String section(Section s) {
        try {
            String r = s.run();
            System.err.print(r);
            return r;
        } catch (Exception e) {
            return "**This benchmark failed:** " + e + "\n\n";
        }
    }
}
