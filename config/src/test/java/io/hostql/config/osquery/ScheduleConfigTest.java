package io.hostql.config.osquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleConfigTest {
    @TempDir
    Path dir;

    Path write(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        return Files.writeString(f, text);
    }

    static ScheduledQuery query(OsqueryConfig c, String pack, String name) {
        return c.packs().stream().filter(p -> p.name().equals(pack)).findFirst().orElseThrow()
                .queries().stream().filter(q -> q.queryName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void scheduleIsPackMainWithEveryQueryKeyTyped() throws Exception {
        Path f = write("hostql.conf", """
                {
                  // osquery's comment lines
                  "schedule": {
                    "procs": {"query": "SELECT pid FROM processes", "interval": "60", "snapshot": true,
                              "removed": false, "platform": "linux", "version": "1.0.0", "shard": 25, "denylist": false},
                    "plain": {"query": "SELECT 1"}
                  }
                }
                """);
        OsqueryConfig c = ConfigLoader.load(f);
        ScheduledQuery p = query(c, Pack.MAIN, "procs");
        assertThat(p.name("_")).isEqualTo("procs");
        assertThat(p.interval()).isEqualTo(60);
        assertThat(p.snapshot()).isTrue();
        assertThat(p.removed()).isFalse();
        assertThat(p.platform()).isEqualTo("linux");
        assertThat(p.version()).isEqualTo("1.0.0");
        assertThat(p.shard()).isEqualTo(25);
        assertThat(p.denylist()).isFalse();
        assertThat(p.where()).isEqualTo(f + ":4");
        ScheduledQuery plain = query(c, Pack.MAIN, "plain");
        assertThat(plain.interval()).isZero(); // schedule_default_interval
        assertThat(plain.removed()).isTrue();
        assertThat(plain.denylist()).isTrue();
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void packsInlineFromAFileAndByGlobAreNamedPackPackQuery() throws Exception {
        write("packs/net.conf", """
                # a pack file
                {"discovery": ["SELECT 1 FROM processes WHERE name = 'sshd'"],
                 "queries": {"ports": {"query": "SELECT * FROM listening_ports", "interval": 30}}}
                """);
        write("more/a.conf", "{\"queries\": {\"x\": {\"query\": \"SELECT 1\", \"interval\": 5}}}");
        write("more/b.conf", "{\"platform\": \"darwin\", \"queries\": {\"y\": {\"query\": \"SELECT 2\", \"interval\": 5}}}");
        Path f = write("hostql.conf", """
                {"packs": {
                  "inline": {"shard": 10, "queries": {"q": {"query": "SELECT 3", "interval": 1}}},
                  "net": "packs/net.conf",
                  "*": "more/*.conf"
                }}
                """);
        OsqueryConfig c = ConfigLoader.load(f);
        assertThat(c.packs()).extracting(Pack::name).containsExactly("inline", "net", "a", "b");
        assertThat(query(c, "net", "ports").name("_")).isEqualTo("pack_net_ports");
        assertThat(query(c, "net", "ports").name("/")).isEqualTo("pack/net/ports");
        Pack net = c.packs().get(1);
        assertThat(net.discovery()).containsExactly("SELECT 1 FROM processes WHERE name = 'sshd'");
        assertThat(c.sqlLocations()).containsEntry("SELECT 1 FROM processes WHERE name = 'sshd'", dir.resolve("packs/net.conf") + ":2");
        assertThat(query(c, "net", "ports").where()).isEqualTo(dir.resolve("packs/net.conf") + ":3");
        assertThat(c.packs().get(0).shard()).isEqualTo(10);
        assertThat(c.packs().get(3).platform()).isEqualTo("darwin");
    }

    @Test
    void anIntervalOfZeroIsAnErrorWithItsLine() throws Exception {
        Path f = write("hostql.conf", "{\n \"schedule\": {\n  \"q\": {\n   \"query\": \"SELECT 1\",\n   \"interval\": 0\n  }\n }\n}\n");
        assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessage(f + ":5: schedule.q.interval: must be between 1 and 604800 seconds, got 0");
    }

    @Test
    void wrongTypesAreErrorsOneLineEachAndUnknownKeysWarnings() throws Exception {
        Path f = write("hostql.conf", """
                {
                  "schedule": {
                    "a": {"query": 42, "interval": 10},
                    "b": {"query": "SELECT 1", "interval": "often"},
                    "c": {"query": "SELECT 1", "snapshot": "yes"},
                    "d": {"query": "SELECT 1", "shard": 1000},
                    "e": {"query": "SELECT 1", "colour": "blue"}
                  }
                }
                """);
        ConfigException e = (ConfigException) org.assertj.core.api.Assertions.catchThrowable(() -> ConfigLoader.load(f));
        assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                f + ":3: schedule.a.query: \"query\" must be a SQL string, got a number",
                f + ":4: schedule.b.interval: must be a whole number of seconds, got 'often'",
                f + ":5: schedule.c.snapshot: must be true or false, got 'yes'",
                f + ":6: schedule.d.shard: must be a whole number between 1 and 100, got 1000");
        Path ok = write("ok.conf", "{\"schedule\": {\"e\": {\"query\": \"SELECT 1\", \"colour\": \"blue\"}}}");
        assertThat(ConfigLoader.load(ok).warnings()).extracting(ConfigError::toString)
                .containsExactly(ok + ":1: schedule.e.colour: unknown query key; ignored");
    }

    @Test
    void dropInEntriesKeepTheirOwnFileForErrors() throws Exception {
        Path f = write("hostql.conf", "{\"schedule\": {\"main\": {\"query\": \"SELECT 1\", \"interval\": 5}}}");
        Path d = write("hostql.conf.d/extra.conf", "{\n\"schedule\": {\n\"extra\": {\"query\": \"SELECT 2\",\n \"interval\": 999999}}}");
        assertThatThrownBy(() -> ConfigLoader.load(f)).hasMessage(d + ":4: schedule.extra.interval: must be between 1 and 604800 seconds, got 999999");
    }

    @Test
    void reservedNamesMissingPackFilesAndBrokenPackFilesAreErrors() throws Exception {
        write("broken.conf", "{\"queries\": {,}}");
        Path f = write("hostql.conf", """
                {"schedule": {"my_counter": {"query": "SELECT 1"}},
                 "packs": {"gone": "nowhere.conf", "bad": "broken.conf"}}
                """);
        ConfigException e = (ConfigException) org.assertj.core.api.Assertions.catchThrowable(() -> ConfigLoader.load(f));
        assertThat(e.errors()).hasSize(3);
        assertThat(e.errors().get(0).toString()).contains("schedule.my_counter: query name 'my_counter' is reserved");
        assertThat(e.errors().get(1).toString()).contains("packs.gone: cannot read pack file").contains("no such file");
        assertThat(e.errors().get(2).toString()).contains("packs.bad: ").contains(dir.resolve("broken.conf") + ":1: broken JSON");
    }

    @Test
    void decoratorsAndViews() throws Exception {
        Path f = write("hostql.conf", """
                {"decorators": {"load": ["SELECT uuid AS host_uuid FROM system_info"], "always": ["SELECT 1 AS one"],
                                "interval": {"3600": ["SELECT 2 AS two"], "90": ["SELECT 3 AS three"]}},
                 "views": {"root_procs": "SELECT * FROM processes WHERE uid = 0"}}
                """);
        OsqueryConfig c = ConfigLoader.load(f);
        assertThat(c.decorators().load()).containsExactly("SELECT uuid AS host_uuid FROM system_info");
        assertThat(c.decorators().always()).containsExactly("SELECT 1 AS one");
        assertThat(c.decorators().interval()).containsOnlyKeys(3600L);
        assertThat(c.warnings()).extracting(ConfigError::toString)
                .containsExactly(f + ":2: decorators.interval.90: the interval must be a multiple of 60 seconds; these decorators will not run");
        assertThat(c.views()).containsEntry("root_procs", "SELECT * FROM processes WHERE uid = 0");
        assertThat(c.sqlLocations()).containsKeys("SELECT 1 AS one", "SELECT * FROM processes WHERE uid = 0");
        assertThat(List.copyOf(c.sqlLocations().values())).allMatch(w -> w.startsWith(f + ":"));
    }
}
