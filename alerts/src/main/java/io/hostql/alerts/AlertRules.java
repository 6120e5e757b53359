package io.hostql.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import io.hostql.sql.table.TableSchema;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads the config's {@code alerts} key:
 * <pre>{"alerts": {"usb_storage": {"table": "hardware_events", "where": "action = 'add' AND type = 'disk'"}}}</pre>
 * Shapes and table names are checked here; predicates are checked by compiling them ({@link AlertEngine}).
 */
public final class AlertRules {
    private AlertRules() {}

    public static List<AlertRule> parse(JsonNode alerts, Collection<TableSchema> eventedTables) {
        List<AlertRule> out = new ArrayList<>();
        if (alerts == null || alerts.isNull()) return out;
        if (!alerts.isObject()) throw new AlertConfigException("alerts: must be an object of rule names to {\"table\", \"where\"}");
        Map<String, TableSchema> known = eventedTables.stream().collect(Collectors.toMap(TableSchema::name, t -> t));
        var it = alerts.fields();
        while (it.hasNext()) {
            var e = it.next();
            String key = "alerts." + e.getKey();
            JsonNode rule = e.getValue();
            if (!rule.isObject()) throw new AlertConfigException(key + ": must be an object with \"table\" and \"where\"");
            JsonNode table = rule.get("table"), where = rule.get("where");
            if (table == null || !table.isTextual()) throw new AlertConfigException(key + ".table: must name an evented table");
            if (where == null || !where.isTextual() || where.asText().isBlank()) {
                throw new AlertConfigException(key + ".where: must be a SQL predicate, e.g. \"action = 'add'\"");
            }
            if (!known.containsKey(table.asText())) {
                throw new AlertConfigException(key + ".table: '" + table.asText() + "' is not an evented table (known: "
                        + String.join(", ", known.keySet().stream().sorted().toList()) + ")");
            }
            var fields = rule.fieldNames();
            while (fields.hasNext()) {
                String f = fields.next();
                if (!f.equals("table") && !f.equals("where")) throw new AlertConfigException(key + ": unknown key '" + f + "'");
            }
            out.add(new AlertRule(e.getKey(), table.asText(), where.asText()));
        }
        return out;
    }
}
