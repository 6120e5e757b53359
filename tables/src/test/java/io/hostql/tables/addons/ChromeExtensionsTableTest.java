package io.hostql.tables.addons;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.homeUid;
import static io.hostql.tables.TableTests.isRoot;
import static io.hostql.tables.TableTests.run;
import static io.hostql.tables.TableTests.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChromeExtensionsTableTest {
    static String publicKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return Base64.getEncoder().encodeToString(g.generateKeyPair().getPublic().getEncoded());
    }

    /** An MV3 extension with a manifest key, a localized name, permissions and content scripts. */
    static Path writeExtension(Path dir, String key) throws Exception {
        write(dir.resolve("manifest.json"), "{\"manifest_version\": 3, \"name\": \"__MSG_appName__\", \"version\": \"1.2.3\","
                + " \"description\": \"__MSG_appDesc__\", \"default_locale\": \"en\", \"author\": \"hostql tests\","
                + (key == null ? "" : " \"key\": \"" + key + "\",")
                + " \"permissions\": [\"storage\", \"tabs\"], \"optional_permissions\": [\"bookmarks\"],"
                + " \"host_permissions\": [\"https://example.com/*\"],"
                + " \"content_scripts\": [{\"matches\": [\"https://example.com/*\", \"https://*.example.org/*\"], \"js\": [\"a.js\", \"b.js\"]}],"
                + " \"background\": {\"service_worker\": \"sw.js\"}}");
        write(dir.resolve("_locales/en/messages.json"), "{\"appName\": {\"message\": \"Witness Extension\"},"
                + " \"APPDESC\": {\"message\": \"Written by the test\"}}");
        for (String f : List.of("a.js", "b.js", "sw.js")) write(dir.resolve(f), "// " + f + "\n");
        return dir;
    }

    private static String jq(String filter, Path file, String... args) {
        List<String> cmd = new ArrayList<>(List.of("jq", "-r"));
        cmd.addAll(List.of(args));
        cmd.add(filter);
        cmd.add(file.toString());
        return run(cmd.toArray(String[]::new)).trim();
    }

    /**
     * The witness: a real headless chromium (Debian's) loads the extension the test wrote into a
     * fresh profile and writes the Preferences the table reads; jq reads the same file.
     */
    @Test
    void matchesAProfileChromiumWrote(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(hasCommand("chromium") && hasCommand("jq"), "needs chromium and jq (Debian packages chromium, jq)");
        Path home = Files.createDirectories(dir.resolve("home")).toRealPath();
        Path passwd = AddonTrees.passwd(dir, home);
        String key = publicKey();
        Path ext = writeExtension(home.resolve("ext"), key).toRealPath();
        Path userData = home.resolve(".config/chromium");
        Path prefs = userData.resolve("Default/Preferences");
        List<String> cmd = new ArrayList<>(List.of("chromium", "--headless=new", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-breakpad",
                "--no-default-browser-check",
                // no network: a proxy at a closed port, and no name resolves
                "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--user-data-dir=" + userData,
                "--load-extension=" + ext, "about:blank"));
        if (isRoot()) cmd.add(1, "--no-sandbox");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HOME", home.toString());
        boolean written = AddonTrees.runUntil(pb, dir.resolve("chromium.log"), 90,
                () -> AddonTrees.read(prefs).contains("\"path\":\"" + ext + "\""));
        assertThat(written).as("chromium wrote the extension into " + prefs + "; its log:\n" + AddonTrees.read(dir.resolve("chromium.log"))).isTrue();

        String id = jq(".extensions.settings | to_entries[] | select(.value.path == $p) | .key", prefs, "--arg", "p", ext.toString());
        String installTime = jq(".extensions.settings[$id] | (.install_time // .first_install_time)", prefs, "--arg", "id", id);
        String fromWebstore = jq(".extensions.settings[$id].from_webstore | tostring", prefs, "--arg", "id", id);
        String profileName = jq(".profile.name", prefs);

        ChromeExtensionsTable table = new ChromeExtensionsTable(passwd);
        List<Map<String, Object>> out = generate(table);
        assertThat(out).as("the component extensions have no manifest.json on disk and are left out, as in osquery").hasSize(1);
        Map<String, Object> row = out.get(0);
        assertThat(row).containsEntry("browser_type", "chromium").containsEntry("uid", homeUid())
                .containsEntry("profile", profileName).containsEntry("profile_path", userData.resolve("Default").toString())
                .containsEntry("path", ext.toString()).containsEntry("referenced", 1L)
                .containsEntry("referenced_identifier", id)
                .containsEntry("identifier", id) // computed from the key, as chromium did
                .containsEntry("name", "Witness Extension").containsEntry("description", "Written by the test")
                .containsEntry("version", "1.2.3").containsEntry("author", "hostql tests")
                .containsEntry("default_locale", "en").containsEntry("locale", "en")
                .containsEntry("permissions", "storage, tabs").containsEntry("permissions_json", "[\"storage\",\"tabs\"]")
                .containsEntry("optional_permissions", "bookmarks").containsEntry("persistent", 0L)
                .containsEntry("from_webstore", fromWebstore).containsEntry("install_time", installTime)
                .containsEntry("install_timestamp", Long.parseLong(installTime) / 1_000_000L - 11_644_473_600L)
                .containsEntry("key", key)
                .containsEntry("manifest_hash", ChromeProfiles.sha256Hex(Files.readAllBytes(ext.resolve("manifest.json"))));
        assertThat((Long) row.get("install_timestamp")).isBetween(System.currentTimeMillis() / 1000 - 600, System.currentTimeMillis() / 1000 + 60);
        assertThat((String) row.get("manifest_json")).contains("\"name\":\"__MSG_appName__\"").contains("\"https:\\/\\/example.com\\/*\"");

        List<Map<String, Object>> scripts = generate(new ChromeExtensionContentScriptsTable(passwd));
        assertThat(scripts).extracting(r -> r.get("match") + " " + r.get("script")).containsExactly(
                "https://example.com/* a.js", "https://example.com/* b.js", "https://*.example.org/* a.js", "https://*.example.org/* b.js");
        assertThat(scripts.get(0)).containsEntry("identifier", id).containsEntry("version", "1.2.3").containsEntry("referenced", 1L)
                .containsEntry("browser_type", "chromium").containsEntry("path", ext.toString());

        assertThat(generateWhere(table, "uid", homeUid() + 1)).isEmpty();
        assertThat(generateWhere(table, "uid", homeUid())).hasSize(1);
    }

    /**
     * Fixture: the layouts chromium makes for store extensions (PROFILE/Extensions/ID/VERSION, a
     * path relative to it in the preferences) and the older preference keys, in several browsers.
     */
    @Test
    void storeLayoutOldKeysAndOtherBrowsers(@TempDir Path dir) throws Exception {
        Path home = dir.resolve("home");
        Path passwd = AddonTrees.passwd(dir, home);
        Path brave = home.resolve(".config/BraveSoftware/Brave-Browser/Profile 1");
        writeExtension(brave.resolve("Extensions/aaaabbbbccccddddeeeeffffgggghhhh/1.2.3_0"), null);
        writeExtension(brave.resolve("Extensions/ppppoooonnnnmmmmllllkkkkjjjjiiii/0.1_0"), null); // not in the preferences
        write(brave.resolve("Preferences"), "{\"profile\": {\"name\": \"Work\"}, \"extensions\": {\"settings\": {"
                + "\"aaaabbbbccccddddeeeeffffgggghhhh\": {\"path\": \"aaaabbbbccccddddeeeeffffgggghhhh/1.2.3_0\", \"state\": 1,"
                + " \"from_webstore\": true, \"install_time\": \"13300000000000000\"},"
                + "\"mhjfbmdgcfjbbpaeojofohoefgiehjai\": {\"path\": \"/usr/lib/chromium/resources/pdf\", \"location\": 5}}}}");
        Path opera = home.resolve(".config/opera");
        writeExtension(opera.resolve("Extensions/opopopopopopopopopopopopopopopop/2.0_0"), null);
        write(opera.resolve("Secure Preferences"), "{\"extensions\": {\"opsettings\": {\"opopopopopopopopopopopopopopopop\":"
                + " {\"path\": \"opopopopopopopopopopopopopopopop/2.0_0\", \"disable_reasons\": [1]}}}}");
        write(home.resolve(".config/google-chrome/Default/Preferences"), "{not json");
        writeExtension(home.resolve(".config/google-chrome/Default/Extensions/x/1"), null);

        List<Map<String, Object>> out = generate(new ChromeExtensionsTable(passwd));
        assertThat(out).extracting(r -> r.get("browser_type") + "|" + r.get("profile") + "|" + r.get("referenced") + "|"
                + r.get("referenced_identifier") + "|" + r.get("state") + "|" + r.get("from_webstore") + "|" + r.get("install_timestamp"))
                .containsExactly(
                        "brave|Work|0||||0",
                        "brave|Work|1|aaaabbbbccccddddeeeeffffgggghhhh|1|true|" + (13_300_000_000L - 11_644_473_600L),
                        "opera||1|opopopopopopopopopopopopopopopop|0||0");
        assertThat(out).allSatisfy(r -> assertThat(r).containsEntry("name", "Witness Extension").containsEntry("identifier", "")
                .containsEntry("permissions_json", "[\"storage\",\"tabs\"]"));
        assertThat(out.get(0)).containsEntry("profile_path", brave.toString())
                .containsEntry("path", brave.resolve("Extensions/ppppoooonnnnmmmmllllkkkkjjjjiiii/0.1_0").toString());
    }

    @Test
    void keyToIdentifierAsChrome() {
        // the id is the key's SHA-256, its first 32 hex digits mapped 0-f to a-p (the real case is checked against chromium above)
        assertThat(ChromeProfiles.identifier(Base64.getEncoder().encodeToString("k".getBytes())))
                .hasSize(32).matches("[a-p]{32}");
        assertThat(ChromeProfiles.identifier("")).isNull();
        assertThat(ChromeProfiles.identifier("!!!")).isNull();
        assertThat(ChromeExtensionsTable.unixTime("13300000000000000")).isEqualTo(13_300_000_000L - 11_644_473_600L);
        assertThat(ChromeExtensionsTable.unixTime("")).isZero();
        assertThat(ChromeExtensionsTable.unixTime("5")).isZero();
    }
}
