package io.hostql.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hostql.config.flags.AllFlags;
import io.hostql.config.flags.AuditFlags;
import io.hostql.config.flags.DaemonFlags;
import io.hostql.config.flags.EventFlags;
import io.hostql.config.flags.FlagHelp;
import io.hostql.config.flags.LoggerFlags;
import io.hostql.config.flags.Setting;
import io.hostql.config.flags.ShellFlags;
import io.hostql.config.flags.WatchdogFlags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The declarations check every source the same way, and one line names the flag, the value and what is accepted. */
class TypedSettingsTest {
    @Test
    void typedAccessorsReturnTheDeclaredType() {
        Settings s = Settings.parse(new String[] {"--events_max=10", "--logger_syslog_facility=3", "--database_path=/tmp/d", "--json"}, Map.of());
        long max = s.get(EventFlags.EVENTS_MAX);
        int facility = s.get(LoggerFlags.LOGGER_SYSLOG_FACILITY);
        assertThat(max).isEqualTo(10);
        assertThat(facility).isEqualTo(3);
        assertThat(s.get(DaemonFlags.DATABASE_PATH)).isEqualTo(Path.of("/tmp/d"));
        assertThat(s.get(ShellFlags.JSON)).isTrue();
        assertThat(s.get(AuditFlags.AUDIT_MODE)).isEqualTo("auto");
        assertThat(s.isSet(EventFlags.EVENTS_MAX)).isTrue();
        assertThat(s.isSet(EventFlags.EVENTS_EXPIRY)).isFalse();
    }

    @Test
    void aBadTypeOnTheCommandLineIsOneLineNamingFlagAndValue() {
        assertThatThrownBy(() -> Settings.parse(new String[] {"--events_max=lots"}, Map.of()))
                .isInstanceOf(SettingsException.class).hasMessage("flag --events_max=lots is not an integer");
        assertThatThrownBy(() -> Settings.parse(new String[] {"--verbose=maybe"}, Map.of()))
                .hasMessage("flag --verbose=maybe is not true or false");
    }

    @Test
    void aValueOutOfRangeNamesTheRange() {
        assertThatThrownBy(() -> Settings.parse(new String[] {"--logger_syslog_facility", "99"}, Map.of()))
                .hasMessage("flag --logger_syslog_facility=99 is out of range 0..23");
        assertThatThrownBy(() -> Settings.parse(new String[] {"--events_max=-1"}, Map.of()))
                .hasMessage("flag --events_max=-1 is out of range 0 or more");
        assertThatThrownBy(() -> Settings.parse(new String[] {"--watchdog_level=2"}, Map.of()))
                .hasMessage("flag --watchdog_level=2 is out of range -1..1");
        assertThatThrownBy(() -> Settings.parse(new String[] {"--audit_backlog_limit=4294967296"}, Map.of()))
                .hasMessage("flag --audit_backlog_limit=4294967296 is out of range 0..2147483647");
        assertThatThrownBy(() -> Settings.parse(new String[] {"--audit_backlog_limit_max=-1"}, Map.of()))
                .hasMessage("flag --audit_backlog_limit_max=-1 is out of range 0..1048576");
        assertThatThrownBy(() -> Settings.parse(new String[] {"--audit_backlog_limit_max=2097152"}, Map.of()))
                .hasMessage("flag --audit_backlog_limit_max=2097152 is out of range 0..1048576");
        // the kernel refuses more than 10 x 60 s x HZ jiffies, and HZ is at most 1000: no kernel takes 2^31
        assertThatThrownBy(() -> Settings.parse(new String[] {"--audit_backlog_wait_time=600001"}, Map.of()))
                .hasMessage("flag --audit_backlog_wait_time=600001 is out of range 0..600000");
        assertThatThrownBy(() -> Settings.parse(new String[] {"--audit_mode=boss"}, Map.of()))
                .hasMessage("flag --audit_mode=boss is not one of auto, owner, coexist");
    }

    @Test
    void aChoiceIsKeptStrippedAndLowerCased() {
        assertThat(Settings.parse(new String[] {"--logger_kafka_compression= ZSTD "}, Map.of()).get(LoggerFlags.LOGGER_KAFKA_COMPRESSION))
                .isEqualTo("zstd");
    }

    @Test
    void theFlagfileAndTheEnvironmentAreCheckedTheSameWayAndNamed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("osquery.flags");
        Files.writeString(f, "--events_expiry=-5\n");
        assertThatThrownBy(() -> Settings.parse(new String[] {"--flagfile", f.toString()}, Map.of()))
                .hasMessage("flag --events_expiry=-5 (in " + f + ") is out of range 0 or more");
        assertThatThrownBy(() -> Settings.parse(new String[0], Map.of("HOSTQL_WATCHDOG_LEVEL", "high")))
                .hasMessage("flag --watchdog_level=high (from HOSTQL_WATCHDOG_LEVEL) is not an integer");
        // A later source that fixes the value wins before anything is checked: only the value in effect counts.
        assertThat(Settings.parse(new String[] {"--watchdog_level=1"}, Map.of("HOSTQL_WATCHDOG_LEVEL", "high")).get(WatchdogFlags.WATCHDOG_LEVEL))
                .isEqualTo(1);
    }

    @Test
    void aValueOnOneLineWhateverItHolds() {
        assertThatThrownBy(() -> Settings.parse(new String[] {"--events_max=1\n2"}, Map.of()))
                .hasMessage("flag --events_max=1\\x0a2 is not an integer");
    }

    @Test
    void badConfigOptionsAreOneWarningEachAndKeepTheDefault() {
        Settings s = Settings.defaults().withOptions(Map.of("events_max", "-3", "logger_min_status", "ERROR", "events_expiry", "60"));
        assertThat(s.warnings()).containsExactlyInAnyOrder("config option --events_max=-3 is out of range 0 or more; ignored",
                "config option --logger_min_status=ERROR is not an integer; ignored");
        assertThat(s.get(EventFlags.EVENTS_MAX)).isEqualTo(EventFlags.EVENTS_MAX.defaultValue());
        assertThat(s.get(EventFlags.EVENTS_EXPIRY)).isEqualTo(60);
    }

    @Test
    void stringKeyedReadsAreCheckedAgainstTheDeclaration() {
        Settings s = Settings.defaults();
        assertThat(s.number("events_max")).isEqualTo(50000);
        assertThat(s.number("logger_syslog_facility")).isEqualTo(19);
        assertThat(s.string("events_max")).isEqualTo("50000");
        assertThatThrownBy(() -> s.number("no_such_flag")).hasMessage("hostql has no flag --no_such_flag");
        assertThatThrownBy(() -> s.bool("events_max")).hasMessage("flag --events_max is int64, not bool");
    }

    @Test
    void aReloadThatChangesARestartFlagWarnsOnceForIt() {
        Settings flags = Settings.parse(new String[] {"--events_expiry=60"}, Map.of());
        Settings running = flags.withOptions(Map.of("events_max", "100", "audit_backlog_limit", "100"));
        Settings reloaded = flags.withOptions(Map.of("events_max", "200", "audit_backlog_limit", "200", "events_expiry", "99", "json", "true"));
        // audit_backlog_limit: SIGHUP applies it; events_expiry: set by a flag, so the options cannot change it; json: the shell's.
        assertThat(reloaded.restartNeeded(running))
                .containsExactly("config option events_max changed from 100 to 200; it takes effect at restart");
        assertThat(running.restartNeeded(running)).isEmpty();
    }

    @Test
    void helpListsEveryDeclarationWithTypeDefaultAndRange() {
        String help = FlagHelp.describe(g -> true);
        for (Setting<?> s : AllFlags.all()) assertThat(help).contains("--" + s.name());
        assertThat(help).containsPattern("(?m)^  --logger_syslog_facility=int32 +Syslog facility of the syslog logger plugin .*\\(default 19; 0\\.\\.23\\)$")
                .containsPattern("(?m)^  --disable_events +Disable the event publishers and subscribers \\(default false\\)$")
                .containsPattern("(?m)^  --audit_mode=choice +How hostqld .*\\(default auto; one of auto, owner, coexist; SIGHUP applies it\\)$")
                .contains("\nKernel audit: process_events, socket_events, user_events:\n");
        assertThat(FlagHelp.describe(g -> g.shellOnly())).contains("--json ").doesNotContain("--events_max");
    }

    @Test
    void everyDeclarationIsSound() {
        assertThat(AllFlags.count()).isGreaterThan(140);
        for (Setting<?> s : AllFlags.all()) {
            assertThat(s.description()).as(s.name()).isNotBlank().doesNotContain("\n");
            // The default is a value the declaration accepts from the outside too.
            assertThat((Object) s.parse(String.valueOf(s.defaultValue()))).as(s.name()).isEqualTo(s.defaultValue());
        }
    }
}
