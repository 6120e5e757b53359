package io.hostql.alerts;

import io.hostql.loggers.LogFormat;
import io.hostql.loggers.QueryLogItem;
import io.hostql.loggers.ResultLines;
import io.hostql.loggers.ResultLogger;
import io.hostql.sql.Database;
import io.hostql.sql.SqlException;
import io.hostql.sql.table.Column;
import io.hostql.sql.table.TableRegistry;
import io.hostql.sql.table.TableSchema;
import io.hostql.subscribers.Subscriber;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates alert rules on each batch of rows as a subscriber commits it, using SQLite: the batch
 * goes into an in-memory table with the evented table's columns, each rule is one prepared,
 * read-only {@code SELECT rowid ... WHERE (predicate)}, and each match becomes an osquery
 * event-format result line named after the rule, handed to the loggers at once (not at the next
 * scheduled query). Nothing here is specific to a table.
 */
public final class AlertEngine implements Subscriber.RowListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertEngine.class);

    private record Compiled(AlertRule rule, Database.Statement select) {}

    private final Database db;
    private final Map<String, List<Compiled>> byTable = new HashMap<>();
    private final Map<String, TableSchema> schemas = new HashMap<>();
    private final Map<String, Database.Statement> inserts = new HashMap<>();
    private final ResultLogger logger;
    private final Supplier<String> hostIdentifier;
    private final LogFormat format;
    private final Map<String, AtomicLong> matches = new ConcurrentHashMap<>();

    /** Compiles every rule; a predicate SQLite cannot compile is refused with the rule's name and SQLite's message. */
    public AlertEngine(List<AlertRule> rules, Collection<TableSchema> eventedTables, ResultLogger logger,
            Supplier<String> hostIdentifier, LogFormat format) {
        this.logger = logger;
        this.hostIdentifier = hostIdentifier;
        this.format = format;
        this.db = Database.open(new TableRegistry());
        try {
            for (TableSchema t : eventedTables) schemas.put(t.name(), t);
            for (AlertRule r : rules) {
                TableSchema t = schemas.get(r.table());
                if (t == null) throw new AlertConfigException("alerts." + r.name() + ".table: '" + r.table() + "' is not an evented table");
                ensureTable(t);
                Database.Statement select;
                try {
                    select = db.prepare("SELECT rowid FROM \"" + t.name() + "\" WHERE (" + r.where() + ") ORDER BY rowid");
                } catch (SqlException e) {
                    throw new AlertConfigException("alerts." + r.name() + ".where: " + e.getMessage());
                }
                byTable.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(new Compiled(r, select));
                matches.put(r.name(), new AtomicLong());
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Compiles the rules and discards them: --config_check refuses what the daemon would refuse. */
    public static void check(List<AlertRule> rules, Collection<TableSchema> eventedTables) {
        if (rules.isEmpty()) return;
        ResultLogger none = new ResultLogger() {
            public void logResults(List<String> lines) {}

            public void logSnapshots(List<String> lines) {}

            public void close() {}
        };
        new AlertEngine(rules, eventedTables, none, () -> "", LogFormat.DEFAULT).close();
    }

    private void ensureTable(TableSchema t) {
        if (inserts.containsKey(t.name())) return;
        StringBuilder ddl = new StringBuilder("CREATE TABLE \"").append(t.name()).append("\" (");
        StringBuilder cols = new StringBuilder("rowid");
        for (int i = 0; i < t.columns().size(); i++) {
            Column c = t.columns().get(i);
            ddl.append(i > 0 ? ", " : "").append('"').append(c.name()).append("\" ").append(c.type().sqlType());
            cols.append(", \"").append(c.name()).append('"');
        }
        db.executeTrusted(ddl.append(')').toString());
        String marks = "?" + ", ?".repeat(t.columns().size());
        inserts.put(t.name(), db.prepareTrusted("INSERT INTO \"" + t.name() + "\" (" + cols + ") VALUES (" + marks + ")"));
    }

    public boolean isEmpty() {
        return byTable.isEmpty();
    }

    /** Matches so far, per rule name. */
    public Map<String, Long> matches() {
        Map<String, Long> out = new LinkedHashMap<>();
        matches.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    @Override
    public void committed(TableSchema table, List<Object[]> rows) {
        List<Compiled> rules = byTable.get(table.name());
        if (rules == null || rows.isEmpty()) return;
        List<String> lines = new ArrayList<>();
        synchronized (this) {
            Database.Statement insert = inserts.get(table.name());
            db.executeTrusted("BEGIN");
            try {
                Object[] params = new Object[table.columns().size() + 1];
                for (int i = 0; i < rows.size(); i++) {
                    params[0] = (long) i;
                    System.arraycopy(rows.get(i), 0, params, 1, rows.get(i).length);
                    insert.run(params);
                }
                long now = System.currentTimeMillis() / 1000;
                for (Compiled c : rules) {
                    for (Object[] hit : c.select().query().rows()) {
                        Object[] row = rows.get(((Long) hit[0]).intValue());
                        lines.add(ResultLines.event(new QueryLogItem(c.rule().name(), hostIdentifier.get(), now, 0, 0, Map.of()),
                                format, asMap(table, row), "added"));
                        matches.get(c.rule().name()).incrementAndGet();
                    }
                }
            } finally {
                db.executeTrusted("DELETE FROM \"" + table.name() + "\"");
                db.executeTrusted("COMMIT");
            }
        }
        if (!lines.isEmpty()) {
            try {
                logger.logResults(lines);
            } catch (RuntimeException e) {
                log.error("alert results could not be logged ({} lines): {}", lines.size(), e.toString());
            }
        }
    }

    private static Map<String, Object> asMap(TableSchema t, Object[] row) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < t.columns().size(); i++) m.put(t.columns().get(i).name(), row[i]);
        return m;
    }

    @Override
    public synchronized void close() {
        byTable.values().forEach(l -> l.forEach(c -> c.select().close()));
        inserts.values().forEach(Database.Statement::close);
        db.close();
    }
}
