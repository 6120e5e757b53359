package io.hostql.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the benchmarks and writes docs/benchmarks.md. Run through {@code bench/run} (which builds,
 * installs the baseline tools and passes the JVM flags): {@code bench/run [startup,query,journal,storm,window,uevent,scheduler,exec,dbcheck,syslog,chrome-extensions,fleet-inventory,distributed,remote,kafka,opensearch]}
 * ({@code certificates}, {@code yara} and {@code syscall-storm} only when named),
 * or {@code bench/run soak [--minutes 30 ...]} for the soak (see {@link Soak.Options}).
 * A run of some of them replaces their sections and keeps the others' from the previous file.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getProperty("hostql.home", ".")).toAbsolutePath().normalize();
        Path out = home.resolve("docs/benchmarks.md");
        Set<String> which = Set.copyOf(Arrays.asList((args.length > 0 ? args[0] : "startup,query,journal,storm,window,uevent,scheduler,exec,dbcheck,syslog,chrome-extensions,fleet-inventory,distributed,remote,kafka,opensearch,rows").split(",")));
        // The soak (issue 10) runs only when named: 30 minutes by default. Its options follow: bench/run soak --minutes 3
        Soak.Options soak = which.contains("soak") ? Soak.Options.parse(Arrays.asList(args).subList(1, args.length)) : null;
        // The syscall storm (issue 15) too, with its -Dstorm.* options checked before anything runs (and the exec storm's -Dexec.*)
        SyscallStorm.Options syscallStorm = which.contains("syscall-storm") ? SyscallStorm.Options.fromProperties() : null;
        ExecStorm.Options execStorm = which.contains("exec") ? ExecStorm.Options.fromProperties() : null;
        Path tmp = Files.createDirectories(home.resolve("bench/target/tmp"));
        StringBuilder md = new StringBuilder("- Machine: ").append(Measure.run("sh", "-c", "lscpu | sed -n 's/^Model name: *//p' | head -1"))
                .append(", ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ")
                .append(Measure.run("sh", "-c", "free -g | awk '/Mem:/{print $2}'")).append(" GiB RAM, kernel ")
                .append(Measure.run("uname", "-r")).append("\n")
                .append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version"))
                .append("\n- SQLite: ").append(io.hostql.sql.sqlite.Sqlite.version())
                .append("\n");
        String machine = md.toString();
        String when = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        Map<String, String> sections = readSections(out);
        if (which.contains("startup")) put(sections, section(() -> ColdStart.run(home, 10)), machine, when);
        if (which.contains("query")) put(sections, section(() -> QueryLatency.run(10)), machine, when);
        if (which.contains("rows")) put(sections, section(() -> RowBuilding.run(Integer.getInteger("rows.count", 5_000_000), 7)), machine, when);
        if (which.contains("journal")) put(sections, section(() -> JournalThroughput.run(tmp, 2_000_000, 5)), machine, when);
        if (which.contains("storm")) put(sections, section(() -> FileStorm.run(home, tmp, Integer.getInteger("storm.files", 100_000), List.of(16384, 524288))), machine, when);
        if (which.contains("window")) put(sections, section(() -> TimeWindow.run(tmp, Long.getLong("window.rows", 10_000_000L), 20)), machine, when);
        if (which.contains("scheduler")) put(sections, section(() -> SchedulerOverhead.run(home, tmp, Integer.getInteger("sched.seconds", 300), Math.min(60, Integer.getInteger("sched.seconds", 300)))), machine, when);
        if (execStorm != null) put(sections, section(() -> ExecStorm.run(home, tmp, execStorm)), machine, when);
        if (which.contains("dbcheck")) put(sections, section(() -> IntegrityCheckCost.run(home, tmp, Integer.getInteger("dbcheck.files", 20_000), Integer.getInteger("dbcheck.minutes", 10))), machine, when);
        if (which.contains("syslog")) put(sections, section(() -> SyslogThroughput.run(home, tmp, Integer.getInteger("syslog.lines", 100_000), 5000)), machine, when);
        if (which.contains("fleet-inventory")) put(sections, section(() -> FleetInventory.run(home, tmp, Integer.getInteger("fleet.runs", 10))), machine, when);
        if (which.contains("remote")) put(sections, section(() -> RemoteCheckIn.run(home, tmp, Integer.getInteger("remote.warmup.seconds", 600), Integer.getInteger("remote.seconds", 180), Integer.getInteger("remote.outage.seconds", 60))), machine, when);
        if (which.contains("kafka")) {
            int outage = Integer.getInteger("kafka.outage.seconds", 60);
            put(sections, section(() -> KafkaThroughput.run(home, tmp, outage, Integer.getInteger("kafka.rows", 100_000 / outage))), machine, when);
        }
        if (which.contains("opensearch")) put(sections, section(() -> OpenSearchThroughput.run(home, tmp, Integer.getInteger("opensearch.lines", 100_000), 5000, Integer.getInteger("opensearch.idle.seconds", 60))), machine, when);
        if (which.contains("uevent")) put(sections, section(() -> UeventLatency.run(home, tmp, Integer.getInteger("uevent.cycles", 1000))), machine, when);
        if (which.contains("chrome-extensions")) put(sections, section(() -> ChromeExtensionsScan.run(tmp, 10, 3, 20, Integer.getInteger("chrome.runs", 10))), machine, when);
        if (which.contains("certificates")) put(sections, section(() -> CertificatesQuery.run(home, 10)), machine, when);
        if (which.contains("yara")) put(sections, section(() -> YaraScan.run(home, tmp, Integer.getInteger("yara.files", 2000), Integer.getInteger("yara.runs", 5))), machine, when);
        if (which.contains("distributed")) put(sections, section(() -> DistributedRoundTrip.run(tmp, 10, Integer.getInteger("distributed.rows", 1_000_000))), machine, when);
        if (syscallStorm != null) put(sections, section(() -> SyscallStorm.run(home, tmp, syscallStorm)), machine, when);
        if (soak != null) put(sections, section(() -> Soak.run(home, tmp, soak)), machine, when);
        StringBuilder doc = new StringBuilder("# hostql benchmarks\n\nWritten by `bench/run` (all) or `bench/run <names>` (those sections only; each\n"
                + "section says when and where it was measured). Every figure is compared with a baseline measured in the\n"
                + "same run: these VMs are noisy, so the ratios matter more than absolute times.\n\n");
        sections.values().forEach(doc::append);
        Files.createDirectories(out.getParent());
        Files.writeString(out, doc.toString());
        System.out.println(doc);
    }

    /** The existing file's sections by their "## " heading, in order, so a partial run keeps the others. */
    private static Map<String, String> readSections(Path file) throws java.io.IOException {
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.exists(file)) return out;
        String heading = null;
        StringBuilder body = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("## ")) {
                if (heading != null) out.put(heading, body.toString());
                heading = line;
                body = new StringBuilder();
            }
            if (heading != null) body.append(line).append('\n');
        }
        if (heading != null) out.put(heading, body.toString());
        return out;
    }

    /** Puts a fresh section (replacing the old one of the same heading), stamped with when and where. */
    private static void put(Map<String, String> sections, String section, String machine, String when) {
        int nl = section.indexOf('\n');
        String heading = section.substring(0, nl);
        sections.put(heading, heading + "\n\n_Measured " + when + "._\n" + machine + section.substring(nl + 1));
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
