package io.hostql.sql;

import io.hostql.sql.table.Column;
import io.hostql.sql.table.TableSchema;
import java.util.List;
import java.util.stream.Collectors;

/** The message for a query that does not constrain a table's required column. */
final class RequiredColumns {
    private RequiredColumns() {}

    static String message(TableSchema schema) {
        List<String> names = schema.requiredColumns().stream().map(Column::name).toList();
        String which = names.size() == 1 ? "column '" + names.get(0) + "'"
                : "one of the columns " + names.stream().map(n -> "'" + n + "'").collect(Collectors.joining(", "));
        return "table '" + schema.name() + "' needs a constraint on " + which + ", for example: SELECT * FROM "
                + schema.name() + " WHERE " + names.get(0) + " = '...'";
    }
}
