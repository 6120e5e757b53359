package io.hostql.tables;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.config.Settings;
import io.hostql.evented.EventedTables;
import io.hostql.sql.QueryResult;
import io.hostql.sql.table.Column;
import io.hostql.sql.table.ColumnOption;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every table with an osquery name has osquery's columns, in osquery's order and types, with
 * osquery's required and hidden flags (reference/osquery-linux-tables.tsv), the evented tables too. hostql's
 * own columns may only follow them.
 */
class SchemaConformanceTest {
    private static final Pattern COLUMN_OPTIONS = Pattern.compile("([a-z0-9_]+)\\(([^)]*)\\)");

    record RefColumn(String name, String type, List<String> options) {
        /** "windows" for a column marked "(hidden, windows only)", else null. */
        String otherPlatform() {
            for (String o : options) if (o.endsWith(" only")) return o.substring(0, o.length() - " only".length());
            return null;
        }
    }

    static Map<String, List<RefColumn>> reference() throws Exception {
        Map<String, List<RefColumn>> out = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                SchemaConformanceTest.class.getResourceAsStream("/osquery-linux-tables.tsv"), StandardCharsets.UTF_8))) {
            r.readLine();
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] f = line.split("\t");
                Map<String, List<String>> opts = new HashMap<>();
                // "uid(index) type(hidden, windows only)": options are comma-separated, "X only" marks another platform's column
                Matcher m = COLUMN_OPTIONS.matcher(f[3]);
                while (m.find()) {
                    List<String> o = new ArrayList<>();
                    for (String x : m.group(2).split(",")) o.add(x.strip());
                    opts.put(m.group(1), o);
                }
                List<RefColumn> cols = new ArrayList<>();
                for (String c : f[4].split(", ")) {
                    String[] nt = c.split(":");
                    cols.add(new RefColumn(nt[0], nt[1], opts.getOrDefault(nt[0], List.of())));
                }
                out.put(f[0], cols);
            }
        }
        return out;
    }

    /** The snapshot tables and the evented ones (their declarations live in evented-tables; the daemon attaches them). */
    @TestFactory
    Stream<DynamicTest> tablesMatchOsquery() throws Exception {
        Map<String, List<RefColumn>> ref = reference();
        Map<String, TableSchema> schemas = new LinkedHashMap<>();
        for (Table t : LinuxTables.registry(Settings.defaults()).all()) schemas.put(t.schema().name(), t.schema());
        for (TableSchema t : EventedTables.all()) schemas.putIfAbsent(t.name(), t);
        return schemas.values().stream().map(t -> DynamicTest.dynamicTest(t.name(), () -> {
            List<RefColumn> expected = ref.get(t.name());
            if (expected == null) return; // a hostql-only table
            List<Column> actual = t.columns();
            assertThat(actual.size()).as("column count of " + t.name()).isGreaterThanOrEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                RefColumn e = expected.get(i);
                Column a = actual.get(i);
                String where = t.name() + "." + e.name();
                assertThat(a.name()).as("column " + i + " of " + t.name()).isEqualTo(e.name());
                assertThat(a.type().name()).as(where + " type").isEqualTo(e.type());
                assertThat(a.required()).as(where + " required").isEqualTo(e.options().contains("required"));
                assertThat(a.hidden()).as(where + " hidden").isEqualTo(e.options().contains("hidden"));
                assertThat(a.otherPlatform()).as(where + " of another platform").isEqualTo(e.otherPlatform());
                if (e.options().contains("index") || e.options().contains("additional")) {
                    assertThat(a.pushedDown()).as(where + " pushed down").isTrue();
                }
            }
            for (int i = expected.size(); i < actual.size(); i++) {
                assertThat(actual.get(i).options()).as("hostql's extra column " + actual.get(i).name())
                        .doesNotContain(ColumnOption.REQUIRED);
            }
        }));
    }

    /** What a table with required columns needs to be scanned here. */
    private static final Map<String, String> REQUIRED_PROBE = Map.of("file", " WHERE path = '/etc/passwd'");

    /** Other platforms' columns exist on the real engine, answer "" (text) or NULL and are left out of SELECT *. */
    @TestFactory
    Stream<DynamicTest> otherPlatformsColumnsAreHiddenAndNull() {
        return LinuxTables.registry(Settings.defaults()).all().stream()
                .filter(t -> t.schema().columns().stream().anyMatch(c -> c.otherPlatform() != null))
                .map(t -> DynamicTest.dynamicTest(t.schema().name(), () -> {
                    String name = t.schema().name();
                    String where = t.schema().requiredColumns().isEmpty() ? "" : REQUIRED_PROBE.get(name);
                    assertThat(where).as(name + " has required columns: add a probe to REQUIRED_PROBE").isNotNull();
                    List<Column> otherColumns = t.schema().columns().stream().filter(c -> c.otherPlatform() != null).toList();
                    List<String> other = otherColumns.stream().map(Column::name).toList();
                    // osquery's missing cells: "" for text (Fleet filters users on type <> 'special'), NULL for numbers
                    Object[] unset = otherColumns.stream().map(c -> c.type() == io.hostql.sql.table.ColumnType.TEXT ? "" : null).toArray();
                    QueryResult all = TableTests.db().query("SELECT * FROM \"" + name + "\"" + where + " LIMIT 1");
                    assertThat(all.columns()).as("SELECT * FROM " + name).doesNotContainAnyElementsOf(other);
                    QueryResult named = TableTests.db().query("SELECT " + String.join(", ", other) + " FROM \"" + name + "\"" + where);
                    // the query compiling is the columns existing; rows there are (logged_in_users may have none) are NULL
                    for (Object[] row : named.rows()) assertThat(row).as(name + "." + other).containsExactly(unset);
                }));
    }
}
