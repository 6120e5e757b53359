package io.hostql.tables.addons;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.homeUid;
import static io.hostql.tables.TableTests.run;
import static io.hostql.tables.TableTests.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FirefoxAddonsTableTest {
    /**
     * The witness: a real headless firefox-esr (Debian's) starts on a fresh profile, finds Debian's
     * uBlock Origin package and its built-in add-ons, and writes extensions.json; jq reads the same
     * file.
     */
    @Test
    void matchesAProfileFirefoxWrote(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(hasCommand("firefox-esr") && hasCommand("jq"), "needs firefox-esr and jq (Debian packages firefox-esr, jq)");
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/usr/share/mozilla/extensions/{ec8030f7-c20a-464f-9b0e-13a3a9e97384}/uBlock0@raymondhill.net")),
                "needs Debian's webext-ublock-origin-firefox, the real add-on of the witness profile");
        Path home = Files.createDirectories(dir.resolve("home")).toRealPath();
        Path passwd = AddonTrees.passwd(dir, home);
        Path profile = home.resolve(".mozilla/firefox/hq.default");
        ProcessBuilder create = new ProcessBuilder("firefox-esr", "--headless", "--CreateProfile", "hq " + profile);
        create.environment().put("HOME", home.toString());
        Process p = create.redirectErrorStream(true).redirectOutput(dir.resolve("create.log").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("firefox-esr --CreateProfile ends").isTrue();
        // no network: every proxy at a closed port, no DNS, no update or telemetry pings
        write(profile.resolve("user.js"), String.join("\n", "user_pref(\"network.proxy.type\", 1);",
                "user_pref(\"network.proxy.http\", \"127.0.0.1\");", "user_pref(\"network.proxy.http_port\", 9);",
                "user_pref(\"network.proxy.ssl\", \"127.0.0.1\");", "user_pref(\"network.proxy.ssl_port\", 9);",
                "user_pref(\"network.proxy.no_proxies_on\", \"\");", "user_pref(\"network.dns.disabled\", true);",
                "user_pref(\"app.update.enabled\", false);", "user_pref(\"extensions.update.enabled\", false);",
                "user_pref(\"datareporting.policy.dataSubmissionEnabled\", false);", "user_pref(\"toolkit.telemetry.enabled\", false);", ""));
        Path json = profile.resolve("extensions.json");
        ProcessBuilder pb = new ProcessBuilder("firefox-esr", "--headless", "--no-remote", "--profile", profile.toString(), "about:blank");
        pb.environment().put("HOME", home.toString());
        pb.environment().put("http_proxy", "http://127.0.0.1:9");
        pb.environment().put("https_proxy", "http://127.0.0.1:9");
        pb.environment().put("MOZ_DISABLE_AUTO_SAFE_MODE", "1");
        boolean written = AddonTrees.runUntil(pb, dir.resolve("firefox.log"), 90,
                () -> AddonTrees.read(json).contains("uBlock0@raymondhill.net"));
        assertThat(written).as("firefox wrote " + json + "; its log:\n" + AddonTrees.read(dir.resolve("firefox.log"))).isTrue();

        Set<String> expected = new TreeSet<>(Arrays.asList(run("jq", "-r", ".addons[] | [.id, .version, .type, .location,"
                + " (if .active then 1 else 0 end), (if .visible then 1 else 0 end),"
                + " (if (.softDisable == true or .appDisabled == true or .userDisabled == true) then 1 else 0 end),"
                + " .applyBackgroundUpdates, (.defaultLocale.name // \"\"), (.defaultLocale.creator // \"\"), (.path // \"\")]"
                + " | map(tostring) | join(\"|\")", json.toString()).split("\n")));
        expected.remove("");
        List<Map<String, Object>> out = generate(new FirefoxAddonsTable(passwd));
        Set<String> actual = out.stream().map(r -> String.join("|", List.of(r.get("identifier"), r.get("version"), r.get("type"),
                        r.get("location"), r.get("active"), r.get("visible"), r.get("disabled"), r.get("autoupdate"), r.get("name"),
                        r.get("creator"), r.get("path")).stream().map(String::valueOf).toList()))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(actual).isEqualTo(expected);
        assertThat(out).filteredOn(r -> "uBlock0@raymondhill.net".equals(r.get("identifier"))).singleElement()
                .satisfies(r -> assertThat(r).containsEntry("name", "uBlock Origin").containsEntry("location", "app-system-share")
                        .containsEntry("active", 1L).containsEntry("disabled", 0L).containsEntry("uid", homeUid()));
        assertThat(generateWhere(new FirefoxAddonsTable(passwd), "uid", homeUid() + 7)).isEmpty();
    }

    /** Fixture: a profile profiles.ini names outside ~/.mozilla/firefox, a user-disabled add-on, a damaged file. */
    @Test
    void profilesIniDisabledAndDamaged(@TempDir Path dir) throws Exception {
        Path home = Files.createDirectories(dir.resolve("home")).toRealPath();
        Path other = Files.createDirectories(home.resolve("elsewhere/work")).toRealPath();
        Path passwd = AddonTrees.passwd(dir, home);
        write(home.resolve(".mozilla/firefox/profiles.ini"), "[General]\nStartWithLastProfile=1\n\n[Profile0]\nName=default\n"
                + "IsRelative=1\nPath=a.default\n\n[Profile1]\nName=work\nIsRelative=0\nPath=" + other + "\n");
        write(home.resolve(".mozilla/firefox/a.default/extensions.json"), "{\"addons\": [{\"id\": \"x@y\", \"version\": \"2\","
                + " \"type\": \"extension\", \"location\": \"app-profile\", \"active\": false, \"visible\": true, \"userDisabled\": true,"
                + " \"applyBackgroundUpdates\": 2, \"sourceURI\": \"https://addons.example/x.xpi\", \"path\": \"/p/x.xpi\","
                + " \"defaultLocale\": {\"name\": \"X\", \"creator\": \"Y\", \"description\": \"Z\"}}]}");
        write(other.resolve("extensions.json"), "{\"addons\": [{\"id\": \"w@y\", \"version\": \"1\", \"active\": true}]}");
        write(home.resolve(".mozilla/firefox/broken/extensions.json"), "{\"addons\": [");
        List<Map<String, Object>> out = generate(new FirefoxAddonsTable(passwd));
        assertThat(out).extracting(r -> r.get("identifier") + "|" + r.get("name") + "|" + r.get("creator") + "|" + r.get("description")
                        + "|" + r.get("source_url") + "|" + r.get("active") + "|" + r.get("disabled") + "|" + r.get("autoupdate"))
                .containsExactly("x@y|X|Y|Z|https://addons.example/x.xpi|0|1|2", "w@y|||||1|0|null");
    }
}
