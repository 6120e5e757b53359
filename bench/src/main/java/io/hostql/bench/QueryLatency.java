package io.hostql.bench;

import io.hostql.config.Settings;
import io.hostql.sql.Database;
import io.hostql.tables.LinuxTables;
import java.util.List;

/**
 * Issue 2: a warm engine's query time against the closest native tool's wall time (which includes
 * its own process start, as a user running it sees), interleaved, medians.
 */
final class QueryLatency {
    private QueryLatency() {}

    record Case(String sql, List<String> tool, String toolLabel, double target) {}

    static String run(int runs) throws Exception {
        List<Case> cases = List.of(
                new Case("SELECT * FROM processes", List.of("ps", "-eo", "pid,ppid,user,stat,rss,vsz,time,lstart,args"),
                        "`ps -eo pid,ppid,user,stat,rss,vsz,time,lstart,args`", 1.0),
                new Case("SELECT * FROM listening_ports", List.of("ss", "-ltnp"), "`ss -ltnp`", 0),
                new Case("SELECT * FROM users", List.of("getent", "passwd"), "`getent passwd`", 0),
                new Case("SELECT * FROM deb_packages", List.of("dpkg-query", "-W"), "`dpkg-query -W`", 0),
                new Case("SELECT path, sha256 FROM hash WHERE directory = '/usr/bin'",
                        List.of("sh", "-c", "sha256sum /usr/bin/* >/dev/null 2>&1; true"), "`sha256sum /usr/bin/*`", 1.5),
                new Case("SELECT * FROM hash WHERE directory = '/usr/bin'",
                        List.of("sh", "-c", "sha256sum /usr/bin/* >/dev/null 2>&1; true"), "`sha256sum /usr/bin/*` (md5, sha1 and sha256 asked)", 0));
        StringBuilder md = new StringBuilder("## Query latency against native tools (issue 2)\n\n"
                + "hostql: the query in a warm engine (the shell's cold start is measured above). Tool: wall time of one run.\n"
                + "Medians of " + runs + " interleaved runs, after 2 warm-up runs each (page cache warm).\n\n"
                + "| query | hostql | native tool | tool | ratio hostql/tool | target |\n|---|---|---|---|---|---|\n");
        try (Database db = Database.open(LinuxTables.registry(Settings.defaults()))) {
            for (Case c : cases) {
                for (int i = 0; i < 2; i++) {
                    db.query(c.sql());
                    Measure.time(c.tool());
                }
                double[] h = new double[runs], t = new double[runs];
                int rows = 0;
                for (int i = 0; i < runs; i++) {
                    long t0 = System.nanoTime();
                    rows = db.query(c.sql()).rows().size();
                    h[i] = (System.nanoTime() - t0) / 1e9;
                    t[i] = Measure.time(c.tool());
                }
                double ratio = Measure.median(h) / Measure.median(t);
                String target = c.target() == 0 ? "" : "≤ " + c.target() + "× " + (ratio <= c.target() ? "(met)" : "(**missed**)");
                md.append("| `").append(c.sql()).append("` (").append(rows).append(" rows) | ")
                        .append(Measure.f(Measure.median(h) * 1000, 1)).append(" ms | ")
                        .append(Measure.f(Measure.median(t) * 1000, 1)).append(" ms | ").append(c.toolLabel()).append(" | ")
                        .append(Measure.f(ratio, 2)).append(" | ").append(target).append(" |\n");
            }
        }
        return md.append('\n').toString();
    }
}
