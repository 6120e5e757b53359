package io.hostql.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzing of flag parsing: command lines, HOSTQL_* environment variables, flagfiles (any text, any bytes)
 * and a config's options. Flags give settings or a SettingsException naming the flag; options give settings
 * with warnings. Never another exception: Typesafe Config's own (a flag name that is not a valid path
 * expression) would escape as a crash instead of a message about the flag.
 */
class SettingsFuzzTest {
    private static final List<Settings.Flag> FLAGS = Settings.defaults().flags();
    private static Path flagfile;

    @BeforeContainer
    static void makeFlagfile() throws Exception {
        flagfile = Files.createTempFile("settings-fuzz", ".flags");
    }

    @AfterContainer
    static void removeFlagfile() throws Exception {
        Files.deleteIfExists(flagfile);
    }

    record Input(List<String> args, Map<String, String> env, byte[] flagfile) {}

    @Property
    void anyFlagsGiveSettingsOrASettingsException(@ForAll("inputs") Input in) throws Exception {
        Files.write(flagfile, in.flagfile);
        try {
            Settings s = Settings.parse(in.args.toArray(new String[0]), in.env);
            for (Settings.Flag f : s.flags()) assertThat(f.value()).isNotNull();
        } catch (SettingsException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Property
    void anyOptionsGiveSettingsWithWarnings(@ForAll("options") Map<String, String> options) {
        Settings s = Settings.defaults().withOptions(options);
        for (Settings.Flag f : s.flags()) assertThat(f.value()).isNotNull();
    }

    // ---- regressions ---------------------------------------------------------------------------

    /**
     * Found by anyFlagsGiveSettingsOrASettingsException: a flag whose name is not a valid Typesafe path ("--a..b",
     * "--=1", "--\"") threw com.typesafe.config.ConfigException$BadPath instead of being an unknown flag.
     */
    @Example
    void aFlagNameThatIsNotAPathIsAnUnknownFlag() {
        for (String bad : List.of("--a..b", "--=1", "--\"", "--.", "-", "--no.", "--x y")) {
            try {
                Settings s = Settings.parse(new String[] {bad}, Map.of());
                assertThat(s.warnings()).as(bad).isNotNull();
            } catch (SettingsException e) {
                assertThat(e.getMessage()).as(bad).contains("flag");
            }
        }
    }

    /** Found by anyOptionsGiveSettingsWithWarnings: a config option named "a..b" threw ConfigException$BadPath. */
    @Example
    void aConfigOptionThatIsNotAPathIsAWarning() {
        Settings s = Settings.defaults().withOptions(Map.of("a..b", "1", "", "2"));
        assertThat(s.warnings()).anyMatch(w -> w.contains("a..b"));
    }

    /** Found by anyFlagsGiveSettingsOrASettingsException: "--flagfile" with a NUL in the path threw InvalidPathException. */
    @Example
    void aFlagfilePathWithANulIsASettingsError() {
        assertThatThrownBy(() -> Settings.parse(new String[] {"--flagfile", "\0"}, Map.of())).isInstanceOf(SettingsException.class)
                .hasMessageContaining("--flagfile").hasMessageContaining("not a valid path");
    }

    /** A flagfile that is not UTF-8 is an error naming it. */
    @Example
    void aFlagfileThatIsNotUtf8IsAnErrorNamingIt() throws Exception {
        Files.write(flagfile, new byte[] {'-', '-', 'x', '=', (byte) 0xff});
        assertThatThrownBy(() -> Settings.parse(new String[] {"--flagfile=" + flagfile}, Map.of())).isInstanceOf(SettingsException.class)
                .hasMessageContaining(flagfile.toString());
    }

    // ---- generators ----------------------------------------------------------------------------

    @Provide
    Arbitrary<Input> inputs() {
        Arbitrary<List<String>> args = arg().list().ofMaxSize(8);
        Arbitrary<Map<String, String>> env = Combinators.combine(Arbitraries.oneOf(
                Arbitraries.of(FLAGS).map(f -> "HOSTQL_" + f.name().toUpperCase(java.util.Locale.ROOT)),
                Arbitraries.of("HOSTQL_", "HOSTQL_A..B", "HOSTQL_FLAGFILE", "PATH", "HOSTQL_X.Y")), value())
                .as(Map::entry).list().ofMaxSize(3).map(es -> {
                    Map<String, String> m = new LinkedHashMap<>();
                    for (var e : es) m.put(e.getKey(), e.getValue());
                    return m;
                });
        Arbitrary<byte[]> file = Arbitraries.oneOf(
                arg().list().ofMaxSize(6).map(l -> String.join("\n", l).getBytes(StandardCharsets.UTF_8)),
                Arbitraries.strings().all().ofMaxLength(100).map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(100));
        return Combinators.combine(args, env, file).as((a, e, f) -> {
            // now and then read the flagfile, from the command line or the environment
            List<String> withFile = new ArrayList<>(a);
            if (!a.isEmpty() && a.get(0).hashCode() % 3 == 0) withFile.add(0, "--flagfile=" + flagfile);
            Map<String, String> env2 = new LinkedHashMap<>(e);
            if (e.containsKey("HOSTQL_FLAGFILE")) env2.put("HOSTQL_FLAGFILE", flagfile.toString());
            return new Input(withFile, env2, f);
        });
    }

    @Provide
    Arbitrary<Map<String, String>> options() {
        return Combinators.combine(name(), value()).as(Map::entry).list().ofMaxSize(5).map(es -> {
            Map<String, String> m = new LinkedHashMap<>();
            for (var e : es) m.put(e.getKey(), e.getValue());
            return m;
        });
    }

    /** One command-line word: a flag in each syntax (known, negated, unknown, malformed) or a value. */
    private static Arbitrary<String> arg() {
        Arbitrary<String> flag = Combinators.combine(Arbitraries.of("--", "-", "--no", "-no"), name(),
                Arbitraries.oneOf(Arbitraries.just(""), value().map(v -> "=" + v))).as((dash, n, v) -> dash + n + v);
        return Arbitraries.oneOf(flag, value(), Arbitraries.of("--", "-", "--=", "--flagfile", "--flagfile=/nonexistent/x"));
    }

    private static Arbitrary<String> name() {
        return Arbitraries.oneOf(Arbitraries.of(FLAGS).map(Settings.Flag::name),
                Arbitraries.of("a..b", "", ".", "x.y", "\"q\"", "a b", "$x", "{", "flagfile", "hostql", "no", "nonexistent"),
                Arbitraries.strings().ofMaxLength(10), Arbitraries.strings().all().ofMaxLength(6));
    }

    private static Arbitrary<String> value() {
        return Arbitraries.oneOf(Arbitraries.of("true", "false", "1", "0", "yes", "off", "", " ", "10", "-1", "99999999999999999999", "0x10",
                "1e3", "${x}", "\"", "a\nb", "/tmp/x"), Arbitraries.strings().all().ofMaxLength(12));
    }
}
