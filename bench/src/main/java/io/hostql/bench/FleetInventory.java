package io.hostql.bench;

import io.hostql.config.Settings;
import io.hostql.sql.Database;
import io.hostql.tables.LinuxTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 16: Fleet's whole Linux software inventory (its software_linux detail query, the text FleetQueriesTest runs,
 * from shell/src/test/resources/fleet/) on this machine: a cold shell per query, and a warm engine. Baselines in the
 * same run: {@code java -version} and {@code hostqli 'select 1'} for the cold start, {@code dpkg-query -W} (the
 * native listing of the biggest part, the deb packages) for the warm engine. An arm of the UNION on a table this
 * build lacks is left out and named (the tables of issue 16's other parts, before they are merged).
 */
final class FleetInventory {
    private FleetInventory() {}

    private static final Pattern FROM = Pattern.compile("\\bFROM\\s+(?:cached_users\\s+CROSS\\s+JOIN\\s+)?([a-z_]+)");

    static String run(Path home, Path tmp, int runs) throws Exception {
        Path fleet = home.resolve("shell/src/test/resources/fleet");
        String users = Files.readString(fleet.resolve("users.sql")).strip();
        List<String> arms = new ArrayList<>(), left = new ArrayList<>();
        String body = Files.readString(fleet.resolve("software_linux.sql")).strip();
        if (body.endsWith(";")) body = body.substring(0, body.length() - 1);
        String sql;
        try (Database db = Database.open(LinuxTables.registry(Settings.defaults()))) {
            for (String arm : body.split("\nUNION\n")) {
                Matcher m = FROM.matcher(arm);
                String table = m.find() ? m.group(1) : "";
                if (db.tables().get(table) != null) arms.add(arm);
                else left.add(table);
            }
            sql = "WITH cached_users AS (" + users + ")\n" + String.join("\nUNION\n", arms);

            // Warm engine: the query in this JVM, after 2 warm-up runs; against dpkg-query -W, interleaved.
            List<String> dpkg = List.of("dpkg-query", "-W");
            int rows = 0;
            for (int i = 0; i < 2; i++) {
                rows = db.query(sql).rows().size();
                Measure.time(dpkg);
            }
            double[] warm = new double[runs], tool = new double[runs];
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                db.query(sql);
                warm[i] = (System.nanoTime() - t0) / 1e9;
                tool[i] = Measure.time(dpkg);
            }

            // Cold shell: one hostqli per query, against hostqli 'select 1' and java -version, interleaved.
            String hostqli = home.resolve("bin/hostqli").toString();
            List<String> cold = List.of(hostqli, "--json", sql), select1 = List.of(hostqli, "--json", "select 1"),
                    bare = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version");
            for (int i = 0; i < 2; i++) {
                Measure.time(cold);
                Measure.time(select1);
                Measure.time(bare);
            }
            double[] c = new double[runs], s1 = new double[runs], b = new double[runs];
            for (int i = 0; i < runs; i++) {
                c[i] = Measure.time(cold);
                s1[i] = Measure.time(select1);
                b[i] = Measure.time(bare);
            }
            // Peak RSS: one-shot, and ten in one shell (the engine warm after the first).
            Path ten = tmp.resolve("fleet-inventory-10.sql");
            Files.writeString(ten, (sql + ";\n").repeat(10));
            double rssCold = Measure.peakRssMiB(cold), rssSelect1 = Measure.peakRssMiB(select1);
            double rssTen = Measure.peakRssMiB(List.of("sh", "-c", "exec \"$0\" --json < \"$1\"", hostqli, ten.toString()));

            StringBuilder md = new StringBuilder("## Fleet's Linux software inventory (issue 16)\n\n")
                    .append("Fleet's `software_linux` detail query, unmodified: one `UNION` over deb_packages, portage_packages, ")
                    .append("rpm_packages, npm_packages, chrome_extensions and firefox_addons, the last two joined with Fleet's users query. ")
                    .append(rows).append(" rows here. Medians of ").append(runs).append(" interleaved runs after 2 warm-up runs each; ")
                    .append(Measure.loadNote()).append(" (other processes inflate the times; the ratios hold better).\n\n");
            if (!left.isEmpty()) {
                md.append("**Left out of this run:** the arms on ").append(String.join(", ", left))
                        .append(", tables this build does not have yet (issue 16's other parts); `bench/run fleet-inventory` runs the ")
                        .append("whole query once they are merged.\n\n");
            }
            md.append("| run | median wall time | baseline | ratio |\n|---|---|---|---|\n")
                    .append("| warm engine (in-process) | ").append(Measure.f(Measure.median(warm) * 1000, 1)).append(" ms | `dpkg-query -W` ")
                    .append(Measure.f(Measure.median(tool) * 1000, 1)).append(" ms | ").append(Measure.f(Measure.median(warm) / Measure.median(tool), 2))
                    .append(" |\n| cold shell `bin/hostqli --json <query>` | ").append(Measure.f(Measure.median(c) * 1000, 0))
                    .append(" ms | `bin/hostqli --json 'select 1'` ").append(Measure.f(Measure.median(s1) * 1000, 0)).append(" ms | ")
                    .append(Measure.f(Measure.median(c) / Measure.median(s1), 2)).append(" |\n| cold shell | ")
                    .append(Measure.f(Measure.median(c) * 1000, 0)).append(" ms | `java -version` ").append(Measure.f(Measure.median(b) * 1000, 0))
                    .append(" ms | ").append(Measure.f(Measure.median(c) / Measure.median(b), 2)).append(" |\n\n")
                    .append("| process | peak RSS |\n|---|---|\n")
                    .append("| `bin/hostqli --json 'select 1'` (baseline) | ").append(Measure.f(rssSelect1, 0)).append(" MiB |\n")
                    .append("| `bin/hostqli --json <query>`, one shot | ").append(Measure.f(rssCold, 0)).append(" MiB |\n")
                    .append("| one `bin/hostqli` running the query 10 times | ").append(Measure.f(rssTen, 0)).append(" MiB |\n\n");
            return md.toString();
        }
    }
}
