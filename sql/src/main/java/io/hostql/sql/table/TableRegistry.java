package io.hostql.sql.table;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The tables one engine exposes, by name. */
public final class TableRegistry {
    private final Map<String, Table> tables = new LinkedHashMap<>();

    public TableRegistry add(Table table) {
        String name = table.schema().name();
        if (tables.putIfAbsent(name, table) != null) throw new IllegalArgumentException("table registered twice: " + name);
        return this;
    }

    public TableRegistry addAll(Collection<? extends Table> all) {
        all.forEach(this::add);
        return this;
    }

    public Table get(String name) {
        return tables.get(name);
    }

    public Collection<Table> all() {
        return Collections.unmodifiableCollection(tables.values());
    }
}
