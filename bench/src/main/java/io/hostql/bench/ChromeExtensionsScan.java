package io.hostql.bench;

import io.hostql.sql.Database;
import io.hostql.sql.table.TableRegistry;
import io.hostql.tables.addons.ChromeExtensionsTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Issue 16: SELECT * FROM chrome_extensions over a generated tree (users x profiles x extensions,
 * each extension under PROFILE/Extensions/ID/VERSION and named in the profile's Preferences), against
 * jq reading the same Preferences files, and jq reading them and every manifest.json, in the same run.
 */
final class ChromeExtensionsScan {
    private ChromeExtensionsScan() {}

    static String run(Path tmp, int users, int profiles, int extensions, int runs) throws Exception {
        Path root = tmp.resolve("chrome-extensions");
        Measure.run("rm", "-rf", root.toString());
        boolean isRoot = "root".equals(System.getProperty("user.name"));
        long ownUid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        StringBuilder passwd = new StringBuilder();
        List<String> prefsFiles = new ArrayList<>();
        List<String> manifests = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            Path home = Files.createDirectories(root.resolve("home" + u));
            long uid = isRoot ? 60_000 + u : ownUid;
            passwd.append("bench").append(u).append(":x:").append(uid).append(':').append(uid).append("::").append(home).append(":/bin/sh\n");
            for (int p = 0; p < profiles; p++) {
                Path profile = home.resolve(".config/google-chrome/" + (p == 0 ? "Default" : "Profile " + p));
                StringBuilder settings = new StringBuilder();
                for (int e = 0; e < extensions; e++) {
                    String id = extensionId(u * 1000 + e);
                    Path dir = Files.createDirectories(profile.resolve("Extensions/" + id + "/1." + e + ".0_0"));
                    Files.writeString(dir.resolve("manifest.json"), manifest(e));
                    manifests.add(dir.resolve("manifest.json").toString());
                    if (e > 0) settings.append(',');
                    settings.append('"').append(id).append("\":{\"path\":\"").append(id).append("/1.").append(e).append(".0_0\",")
                            .append("\"from_webstore\":true,\"state\":1,\"location\":1,\"first_install_time\":\"13370000000000000\",")
                            .append("\"granted_permissions\":{\"api\":[\"storage\",\"tabs\"],\"explicit_host\":[\"https://*/*\"]}}");
                }
                Files.writeString(profile.resolve("Preferences"), "{\"profile\":{\"name\":\"Person " + (p + 1) + "\"},"
                        + "\"browser\":{\"window_placement\":{\"bottom\":900,\"left\":0}},\"extensions\":{\"settings\":{" + settings + "}}}");
                Files.writeString(profile.resolve("Secure Preferences"), "{\"protection\":{\"macs\":{}}}");
                prefsFiles.add(profile.resolve("Preferences").toString());
            }
        }
        Path passwdFile = root.resolve("passwd");
        Files.writeString(passwdFile, passwd.toString());

        List<String> jqPrefs = new ArrayList<>(List.of("jq", "-c",
                ".extensions.settings | to_entries[] | {id: .key, path: .value.path, from_webstore: .value.from_webstore,"
                        + " state: .value.state, install_time: .value.first_install_time}"));
        jqPrefs.addAll(prefsFiles);
        Path script = root.resolve("jq-both.sh");
        Files.writeString(script, "jq -c '.extensions.settings | to_entries[] | {id: .key, path: .value.path}' \"$@\" >/dev/null\n"
                + "find " + root + " -name manifest.json -print0 | xargs -0 jq -c '{name, version, description, permissions,"
                + " content_scripts}' >/dev/null\n");
        List<String> jqBoth = new ArrayList<>(List.of("sh", script.toString()));
        jqBoth.addAll(prefsFiles);

        TableRegistry registry = new TableRegistry().add(new ChromeExtensionsTable(passwdFile));
        int expected = users * profiles * extensions;
        double[] h = new double[runs], c = new double[runs], j = new double[runs], b = new double[runs];
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        try (Database db = Database.open(registry)) {
            int rows = db.query("SELECT * FROM chrome_extensions").rows().size();
            if (rows != expected) throw new IllegalStateException("chrome_extensions gave " + rows + " rows, the tree has " + expected);
            for (int i = 0; i < 2; i++) {
                db.query("SELECT * FROM chrome_extensions");
                Measure.time(jqPrefs);
                Measure.time(jqBoth);
            }
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                long c0 = threads.getCurrentThreadCpuTime();
                db.query("SELECT * FROM chrome_extensions");
                h[i] = (System.nanoTime() - t0) / 1e9;
                c[i] = (threads.getCurrentThreadCpuTime() - c0) / 1e9; // the table runs on the querying thread
                j[i] = Measure.time(jqPrefs);
                b[i] = Measure.time(jqBoth);
            }
        }
        Measure.run("rm", "-rf", root.toString());
        double hm = Measure.median(h), cm = Measure.median(c), jm = Measure.median(j), bm = Measure.median(b);
        return "## chrome_extensions scan against jq (issue 16)\n\n"
                + "A generated tree: " + users + " users × " + profiles + " Chrome profiles × " + extensions + " extensions (" + expected
                + " rows; each extension under PROFILE/Extensions/ID/VERSION with a ~1 KB manifest.json, named in the profile's Preferences). "
                + "hostql: `SELECT * FROM chrome_extensions` in a warm engine (it reads and parses each Preferences, Secure Preferences "
                + "and manifest.json, localizes, hashes the manifest and computes every column). Baselines: one `jq` process over the "
                + prefsFiles.size() + " Preferences files (the settings only), and `jq` over the Preferences then over the " + manifests.size()
                + " manifests (via `find | xargs`). Medians of " + runs + " interleaved runs after 2 warm-up runs. The machine was shared "
                + "with other builds and benchmarks while measuring (load average " + Files.readString(Path.of("/proc/loadavg")).split(" ")[0]
                + " on " + Runtime.getRuntime().availableProcessors() + " CPUs at the end), so wall times are "
                + "inflated for both sides; hostql's CPU time (of the querying thread, where the table runs) is given as well.\n\n"
                + "| what | median | ratio to hostql |\n|---|---|---|\n"
                + "| hostql `SELECT * FROM chrome_extensions` | " + Measure.f(hm * 1000, 1) + " ms (CPU " + Measure.f(cm * 1000, 1)
                + " ms) | 1.00 |\n"
                + "| `jq` over the Preferences | " + Measure.f(jm * 1000, 1) + " ms | " + Measure.f(jm / hm, 2) + " |\n"
                + "| `jq` over the Preferences and the manifests | " + Measure.f(bm * 1000, 1) + " ms | " + Measure.f(bm / hm, 2) + " |\n\n";
    }

    /** A 32-letter a-p id, as Chrome's ids are. */
    static String extensionId(int n) {
        StringBuilder sb = new StringBuilder();
        String hex = String.format("%032x", (long) n * 2654435761L);
        for (char c : hex.toCharArray()) sb.append((char) ('a' + Character.digit(c, 16)));
        return sb.toString();
    }

    static String manifest(int e) {
        return "{\"manifest_version\":3,\"name\":\"Extension " + e + "\",\"version\":\"1." + e + ".0\","
                + "\"description\":\"A generated extension for the chrome_extensions benchmark, number " + e + "\","
                + "\"author\":\"bench\",\"update_url\":\"https://clients2.google.com/service/update2/crx\","
                + "\"permissions\":[\"storage\",\"tabs\",\"scripting\",\"alarms\"],\"optional_permissions\":[\"bookmarks\"],"
                + "\"host_permissions\":[\"https://*/*\"],\"background\":{\"service_worker\":\"sw.js\"},"
                + "\"content_scripts\":[{\"matches\":[\"https://*/*\",\"http://*/*\"],\"js\":[\"content.js\"],\"run_at\":\"document_idle\"}],"
                + "\"icons\":{\"16\":\"icons/16.png\",\"48\":\"icons/48.png\",\"128\":\"icons/128.png\"},"
                + "\"action\":{\"default_popup\":\"popup.html\",\"default_title\":\"Extension " + e + "\"}}";
    }
}
