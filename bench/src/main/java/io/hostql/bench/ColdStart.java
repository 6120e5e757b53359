package io.hostql.bench;

import java.nio.file.Path;
import java.util.List;

/** Issue 2: cold start of a one-shot query against the bare JVM, and peak RSS of one-shot queries. */
final class ColdStart {
    private ColdStart() {}

    static String run(Path home, int runs) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> bare = List.of(java, "-version");
        List<String> hostqli = List.of(home.resolve("bin/hostqli").toString(), "--json", "select 1");
        for (int i = 0; i < 2; i++) {
            Measure.time(bare);
            Measure.time(hostqli);
        }
        double[] b = new double[runs], h = new double[runs];
        for (int i = 0; i < runs; i++) {
            b[i] = Measure.time(bare);
            h[i] = Measure.time(hostqli);
        }
        double rssSelect1 = Measure.peakRssMiB(hostqli);
        double rssProcesses = Measure.peakRssMiB(List.of(home.resolve("bin/hostqli").toString(), "--json", "SELECT * FROM processes"));
        double rssHash = Measure.peakRssMiB(List.of(home.resolve("bin/hostqli").toString(), "--json",
                "SELECT path, sha256 FROM hash WHERE directory = '/usr/bin'"));
        double ratio = Measure.median(h) / Measure.median(b);
        return "## Shell cold start and one-shot memory (issue 2)\n\n"
                + "Median wall time over " + runs + " interleaved runs, after 2 warm-up runs each.\n\n"
                + "| command | median | ratio to `java -version` | target |\n|---|---|---|---|\n"
                + "| `java -version` (baseline, same JDK) | " + Measure.f(Measure.median(b) * 1000, 0) + " ms | 1.00 | |\n"
                + "| `bin/hostqli --json 'select 1'` | " + Measure.f(Measure.median(h) * 1000, 0) + " ms | " + Measure.f(ratio, 2)
                + " | ≤ 4× " + (ratio <= 4 ? "(met)" : "(**missed**)") + " |\n\n"
                + "| one-shot query | peak RSS | target |\n|---|---|---|\n"
                + "| `select 1` | " + Measure.f(rssSelect1, 0) + " MiB | < 150 MiB " + (rssSelect1 < 150 ? "(met)" : "(**missed**)") + " |\n"
                + "| `SELECT * FROM processes` | " + Measure.f(rssProcesses, 0) + " MiB | < 150 MiB " + (rssProcesses < 150 ? "(met)" : "(**missed**)") + " |\n"
                + "| `SELECT path, sha256 FROM hash WHERE directory = '/usr/bin'` | " + Measure.f(rssHash, 0) + " MiB | < 150 MiB "
                + (rssHash < 150 ? "(met)" : "(**missed**)") + " |\n\n";
    }
}
