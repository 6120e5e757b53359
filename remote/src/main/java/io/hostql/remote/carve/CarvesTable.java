package io.hostql.remote.carve;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.INDEX;

import io.hostql.remote.distributed.DistributedRequest;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.files.FilePath;
import io.hostql.tables.files.FilePatterns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * osquery's {@code carves}: the carves of the last {@code --carver_expiry} seconds, and how to start
 * one: {@code SELECT * FROM carves WHERE path LIKE '/etc/%' AND carve = 1} (with
 * {@code --disable_carver=false}) carves the files the paths name, = or LIKE with osquery's % and %%
 * as in the {@code file} table. As osquery, only the new carve has {@code carve} 1, so that query
 * returns its row (status STARTING), and its {@code path} is the carved paths joined by commas.
 */
public final class CarvesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("carves", "List the set of completed and in-progress carves.")
            .bigint("time").text("sha256").bigint("size").text("path", ADDITIONAL).text("status").text("carve_guid", INDEX)
            .text("request_id").integer("carve", ADDITIONAL)
            .build();

    private final Supplier<Carves> carves;

    /** carves gives null where nothing can carve (--config_check): the table is then empty. */
    public CarvesTable(Supplier<Carves> carves) {
        this.carves = carves;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public boolean shareable() {
        return false; // a carve request must reach the table every time
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        Carves carver = carves.get();
        if (carver == null) return;
        String started = null;
        if (ctx.equalsLong("carve").contains(1L)) {
            List<Path> paths = new ArrayList<>();
            for (FilePath p : FilePatterns.fromConstraints(ctx, "path", FilePatterns.Kind.FILES)) paths.add(Path.of(p.toString()));
            if (!paths.isEmpty()) started = carver.request(paths, DistributedRequest.currentId());
        }
        for (Carves.Carve c : carver.list()) {
            rows.add().set("time", c.time()).set("sha256", c.sha256()).set("size", c.size()).set("path", c.path())
                    .set("status", c.status().name()).set("carve_guid", c.guid()).set("request_id", c.requestId())
                    .set("carve", c.guid().equals(started) ? 1L : 0L);
        }
    }
}
