package io.hostql.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hostql.config.Settings;
import io.hostql.config.flags.ScheduleFlags;
import io.hostql.config.osquery.ConfigError;
import io.hostql.config.osquery.OsqueryConfig;
import io.hostql.config.osquery.Pack;
import io.hostql.config.osquery.ScheduledQuery;
import io.hostql.daemon.schedule.QueryEngine;
import io.hostql.evented.EventedTables;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * --config_check's SQL part: every query of the config (schedule, packs, discovery, decorators,
 * views) is prepared on the same engine the scheduler uses, so an unknown table or column, a
 * missing required column or a syntax error is reported with the query's file and line.
 */
final class ConfigCheck {
    private ConfigCheck() {}

    static List<ConfigError> sqlErrors(OsqueryConfig c, Settings settings) {
        List<ConfigError> out = new ArrayList<>();
        try (QueryEngine engine = QueryEngine.raw(Daemon.registry(settings, io.hostql.tables.self.DaemonState.NONE, List::of, () -> null, List::of), EventedTables.all())) {
            for (Map.Entry<String, String> v : c.views().entrySet()) {
                try {
                    engine.addView(v.getKey(), v.getValue());
                } catch (RuntimeException e) {
                    out.add(located(c.sqlLocations().get(v.getValue()), "views." + v.getKey(), e.getMessage()));
                }
            }
            Set<String> others = new LinkedHashSet<>();
            for (Pack p : c.packs()) {
                String prefix = Pack.MAIN.equals(p.name()) ? "schedule." : "packs." + p.name() + ".queries.";
                for (ScheduledQuery q : p.queries()) {
                    try {
                        engine.validate(q.sql());
                    } catch (RuntimeException e) {
                        out.add(located(q.where(), prefix + q.queryName() + ".query", e.getMessage()));
                    }
                }
                for (String d : p.discovery()) check(engine, d, c, "packs." + p.name() + ".discovery", out, others);
            }
            for (String d : c.decorators().load()) check(engine, d, c, "decorators.load", out, others);
            for (String d : c.decorators().always()) check(engine, d, c, "decorators.always", out, others);
            for (List<String> l : c.decorators().interval().values()) for (String d : l) check(engine, d, c, "decorators.interval", out, others);
        }
        return out;
    }

    private static void check(QueryEngine engine, String sql, OsqueryConfig c, String key, List<ConfigError> out, Set<String> seen) {
        if (!seen.add(key + "\0" + sql)) return;
        try {
            engine.validate(sql);
        } catch (RuntimeException e) {
            out.add(located(c.sqlLocations().get(sql), key, e.getMessage()));
        }
    }

    /** "file:line" back into a ConfigError. */
    private static ConfigError located(String where, String key, String message) {
        String file = where == null ? "config" : where;
        int line = 0;
        int colon = file.lastIndexOf(':');
        if (colon > 0 && file.substring(colon + 1).matches("\\d+")) {
            line = Integer.parseInt(file.substring(colon + 1));
            file = file.substring(0, colon);
        }
        return new ConfigError(file, line, key, message, true);
    }

    /** --config_dump: the effective config, drop-ins merged and pack files read in. */
    static String dump(OsqueryConfig c, Settings settings) throws Exception {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = c.raw().deepCopy();
        ObjectNode packs = m.createObjectNode();
        for (Pack p : c.packs()) {
            if (Pack.MAIN.equals(p.name())) continue;
            ObjectNode pack = packs.putObject(p.name());
            if (!p.platform().isEmpty()) pack.put("platform", p.platform());
            if (!p.version().isEmpty()) pack.put("version", p.version());
            if (p.shard() > 0) pack.put("shard", p.shard());
            if (!p.discovery().isEmpty()) pack.set("discovery", m.valueToTree(p.discovery()));
            ObjectNode qs = pack.putObject("queries");
            for (ScheduledQuery q : p.queries()) {
                ObjectNode o = qs.putObject(q.queryName());
                o.put("query", q.sql());
                long interval = q.interval() > 0 ? q.interval() : settings.get(ScheduleFlags.SCHEDULE_DEFAULT_INTERVAL);
                o.put("interval", interval);
                if (q.snapshot()) o.put("snapshot", true);
                if (!q.removed()) o.put("removed", false);
                if (!q.platform().isEmpty()) o.put("platform", q.platform());
                if (!q.version().isEmpty()) o.put("version", q.version());
                if (q.shard() > 0) o.put("shard", q.shard());
                if (!q.denylist()) o.put("denylist", false);
            }
        }
        if (!packs.isEmpty()) root.set("packs", packs);
        root.set("options", m.valueToTree(c.options()));
        return m.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }
}
