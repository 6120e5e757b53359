package io.hostql.sql.table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** A table's name, description and columns, in osquery's order (hostql's additions last). */
public final class TableSchema {
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");

    private final String name;
    private final String description;
    private final List<Column> columns;
    private final Map<String, Integer> index;

    private TableSchema(String name, String description, List<Column> columns) {
        this.name = name;
        this.description = description;
        this.columns = List.copyOf(columns);
        Map<String, Integer> idx = new HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            if (idx.put(columns.get(i).name(), i) != null) {
                throw new IllegalArgumentException("table " + name + " declares column " + columns.get(i).name() + " twice");
            }
        }
        this.index = Collections.unmodifiableMap(idx);
    }

    public static Builder builder(String name, String description) {
        return new Builder(name, description);
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    /** The same columns under another name: an alias, as osquery's specs declare them. */
    public TableSchema named(String alias) {
        if (!NAME.matcher(alias).matches()) throw new IllegalArgumentException("bad table name: " + alias);
        return new TableSchema(alias, description, columns);
    }

    public List<Column> columns() {
        return columns;
    }

    public Column column(int i) {
        return columns.get(i);
    }

    /** Column position, or -1. */
    public int indexOf(String column) {
        Integer i = index.get(column);
        return i == null ? -1 : i;
    }

    public List<Column> requiredColumns() {
        return columns.stream().filter(Column::required).toList();
    }

    /** The statement given to sqlite3_declare_vtab, and printed by .schema. */
    public String createStatement(boolean forDeclareVtab) {
        StringBuilder sb = new StringBuilder("CREATE TABLE ").append(forDeclareVtab ? "x" : "`" + name + "`").append('(');
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            if (i > 0) sb.append(", ");
            sb.append('`').append(c.name()).append("` ").append(c.type().sqlType());
            if (c.hidden()) sb.append(" HIDDEN");
        }
        return sb.append(')').toString();
    }

    public static final class Builder {
        private final String name;
        private final String description;
        private final List<Column> columns = new ArrayList<>();

        private Builder(String name, String description) {
            if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("bad table name: " + name);
            this.name = name;
            this.description = description;
        }

        public Builder column(String column, ColumnType type, ColumnOption... options) {
            return add(column, type, null, options);
        }

        /**
         * Columns of another platform's extended_schema ("windows", "darwin"), in osquery's order: osquery
         * gives them to every platform as hidden columns, so queries written for all platforms (Fleet's
         * {@code users.type}, {@code os_version.extra}) run here and read NULL. Generators never set them.
         */
        public Builder otherPlatform(String platform, ColumnType type, String... names) {
            if (!platform.equals("windows") && !platform.equals("darwin")) throw new IllegalArgumentException("bad platform: " + platform);
            for (String n : names) add(n, type, platform, ColumnOption.HIDDEN);
            return this;
        }

        private Builder add(String column, ColumnType type, String otherPlatform, ColumnOption... options) {
            if (!NAME.matcher(column).matches()) throw new IllegalArgumentException("bad column name: " + column);
            columns.add(new Column(column, type, Arrays.asList(options).isEmpty() ? java.util.Set.of()
                    : java.util.EnumSet.copyOf(Arrays.asList(options)), otherPlatform));
            return this;
        }

        public Builder text(String column, ColumnOption... options) {
            return column(column, ColumnType.TEXT, options);
        }

        public Builder integer(String column, ColumnOption... options) {
            return column(column, ColumnType.INTEGER, options);
        }

        public Builder bigint(String column, ColumnOption... options) {
            return column(column, ColumnType.BIGINT, options);
        }

        public Builder unsignedBigint(String column, ColumnOption... options) {
            return column(column, ColumnType.UNSIGNED_BIGINT, options);
        }

        public Builder real(String column, ColumnOption... options) {
            return column(column, ColumnType.DOUBLE, options);
        }

        public Builder blob(String column, ColumnOption... options) {
            return column(column, ColumnType.BLOB, options);
        }

        public Builder datetime(String column, ColumnOption... options) {
            return column(column, ColumnType.DATETIME, options);
        }

        public TableSchema build() {
            if (columns.isEmpty()) throw new IllegalArgumentException("table " + name + " has no columns");
            return new TableSchema(name, description, columns);
        }
    }
}
