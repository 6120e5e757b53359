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
     * The existing file with this run's sections replacing theirs in place (new ones appended), under
     * this run's header: {@code bench/run exec} updates its own section and keeps the others' figures.
     */
    static String keepOtherSections(Path file, String fresh) throws java.io.IOException {
        if (!Files.exists(file)) return fresh;
        java.util.LinkedHashMap<String, String> now = sections(fresh), before = sections(Files.readString(file));
        String header = now.remove("");
        before.remove("");
        if (before.keySet().stream().allMatch(now::containsKey)) return fresh;
        StringBuilder out = new StringBuilder(header.stripTrailing())
                .append("\n- Sections this run did not produce keep their figures from an earlier run.\n\n");
        before.forEach((title, text) -> out.append(now.containsKey(title) ? now.remove(title) : text));
        now.values().forEach(out::append);
        return out.toString().stripTrailing() + "\n";
    }

    /** The text before the first "## " heading (key ""), then each section by its heading line. */
    private static java.util.LinkedHashMap<String, String> sections(String md) {
        java.util.LinkedHashMap<String, String> out = new java.util.LinkedHashMap<>();
        String key = "";
        StringBuilder cur = new StringBuilder();
        for (String line : md.split("\n", -1)) {
            if (line.startsWith("## ")) {
                out.put(key, cur.toString());
                key = line;
                cur = new StringBuilder();
            }
            cur.append(line).append('\n');
        }
        out.put(key, cur.toString().stripTrailing() + "\n\n");
        return out;
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
