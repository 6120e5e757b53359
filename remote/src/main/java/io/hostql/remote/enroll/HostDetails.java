package io.hostql.remote.enroll;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
import io.hostql.sql.table.TableRegistry;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Enrollment's host_details: the first row of each of osquery's four tables, every value a string. */
public final class HostDetails {
    private static final Logger log = LoggerFactory.getLogger(HostDetails.class);
    static final List<String> TABLES = List.of("os_version", "osquery_info", "system_info", "platform_info");

    private HostDetails() {}

    /** A table the registry lacks is sent as {} (a manager expects the key); one that fails is logged and sent as {}. */
    public static ObjectNode of(TableRegistry tables) {
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        try (Database db = Database.open(tables)) {
            for (String t : TABLES) {
                ObjectNode row = details.putObject(t);
                if (tables.get(t) == null) continue;
                try {
                    QueryResult r = db.query("SELECT * FROM " + t + " LIMIT 1");
                    if (r.rows().isEmpty()) continue;
                    Object[] values = r.rows().get(0);
                    for (int i = 0; i < r.columns().size(); i++) row.put(r.columns().get(i), QueryResult.text(values[i], ""));
                } catch (RuntimeException e) {
                    log.warn("enroll host_details: {} failed: {}", t, e.getMessage());
                }
            }
        }
        return details;
    }
}
