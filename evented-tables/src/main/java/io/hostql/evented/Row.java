package io.hostql.evented;

import io.hostql.sql.table.ColumnType;
import io.hostql.sql.table.TableSchema;
import java.util.Set;

/**
 * One row of an evented table, filled by column name (see the package doc for an example). The names are
 * resolved to positions once, when a {@link Layout}'s columns are declared: a name or type the table does
 * not declare fails there, naming table and column, so a subscriber with a wrong name fails at start and
 * a row costs no lookup. A column left unset is NULL.
 */
public final class Row {
    private static final Set<ColumnType> INTEGERS = Set.of(ColumnType.INTEGER, ColumnType.BIGINT, ColumnType.UNSIGNED_BIGINT, ColumnType.DATETIME);

    private final Layout layout;
    private final Object[] values;

    private Row(Layout layout) {
        this.layout = layout;
        this.values = new Object[layout.width()];
    }

    /** A layout for filling the table's rows: declare its columns once (in static finals), then make rows. */
    public static Layout layout(TableSchema table) {
        return new Layout(table);
    }

    public TableSchema table() {
        return layout.table();
    }

    /** The values in the table's column order: what the store inserts and the alert engine reads. */
    public Object[] values() {
        return values;
    }

    public Row set(Text column, String value) {
        values[layout.position(column)] = value;
        return this;
    }

    /** Bytes as they came from the kernel (a path, a command line): stored as TEXT unchanged, never decoded here. */
    public Row set(Text column, byte[] value) {
        values[layout.position(column)] = value;
        return this;
    }

    public Row set(Int column, long value) {
        values[layout.position(column)] = value;
        return this;
    }

    /** null: NULL, for a value the source does not know. */
    public Row set(Int column, Long value) {
        values[layout.position(column)] = value;
        return this;
    }

    /** The event id (osquery's 10-digit text), which the subscriber assigns in commit order. */
    public void eid(String eid) {
        if (layout.eid() < 0) {
            throw new IllegalStateException("table " + layout.table().name() + " has no eid column: a status table is written with EventStore.replace");
        }
        values[layout.eid()] = eid;
    }

    /**
     * A table's columns as a subscriber declares them: each name is checked against the table here, once. (Records,
     * like the columns: the JIT trusts their final fields, so a row's positions and width fold into constants.)
     */
    public record Layout(TableSchema table, int width, int eid) {
        public Layout {
            if (width != table.columns().size() || eid != table.indexOf("eid")) throw new IllegalArgumentException("not " + table.name() + "'s layout");
        }

        private Layout(TableSchema table) {
            this(table, table.columns().size(), table.indexOf("eid"));
        }

        /** A TEXT column. */
        public Text text(String name) {
            return new Text(table, table.indexOf(name), name);
        }

        /** An INTEGER or BIGINT column. */
        public Int integer(String name) {
            return new Int(table, table.indexOf(name), name);
        }

        /** A new row, every column NULL. */
        public Row row() {
            return new Row(this);
        }

        /** The column's position; a column of another table is a programming error, said with both names. */
        private int position(Column column) {
            if (column.table() != table) {
                throw new IllegalArgumentException("column " + column.table().name() + "." + column.name() + " set in a row of " + table.name());
            }
            return column.position();
        }
    }

    private static int positionOf(TableSchema table, String name, String expected, Set<ColumnType> types) {
        int i = table.indexOf(name);
        if (i < 0) throw new IllegalArgumentException("table " + table.name() + " declares no column " + name);
        ColumnType type = table.column(i).type();
        if (!types.contains(type)) {
            throw new IllegalArgumentException("column " + table.name() + "." + name + " is " + type.sqlType() + ", not " + expected);
        }
        return i;
    }

    /** A column resolved against its table's declaration. */
    public sealed interface Column permits Text, Int {
        TableSchema table();

        int position();

        String name();
    }

    /** A TEXT column: set with a String, or with bytes kept as they are. */
    public record Text(TableSchema table, int position, String name) implements Column {
        public Text {
            if (position != positionOf(table, name, "TEXT", Set.of(ColumnType.TEXT))) throw new IllegalArgumentException("not " + table.name() + "." + name);
        }

        @Override
        public String toString() {
            return table.name() + "." + name;
        }
    }

    /** An INTEGER or BIGINT column: set with a long, or with a Long that may be null. */
    public record Int(TableSchema table, int position, String name) implements Column {
        public Int {
            if (position != positionOf(table, name, "an integer", INTEGERS)) throw new IllegalArgumentException("not " + table.name() + "." + name);
        }

        @Override
        public String toString() {
            return table.name() + "." + name;
        }
    }
}
