package io.hostql.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowCache;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableRegistry;
import io.hostql.sql.table.TableSchema;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RowCacheTest {
    static final class Counting implements Table {
        final TableSchema schema;
        final boolean shareable;
        final AtomicInteger generated = new AtomicInteger();

        Counting(String name, boolean shareable) {
            this.schema = TableSchema.builder(name, "counts its generations").integer("n").text("s").build();
            this.shareable = shareable;
        }

        @Override
        public TableSchema schema() {
            return schema;
        }

        @Override
        public boolean shareable() {
            return shareable;
        }

        @Override
        public void generate(QueryContext ctx, RowSink rows) {
            int g = generated.incrementAndGet();
            for (long i = 1; i <= 3; i++) rows.add().set("n", i).set("s", "gen" + g);
        }
    }

    @Test
    void insideAScopeTheSameScanIsGeneratedOnceAndOutsideEveryTime() {
        Counting shared = new Counting("shared", true), own = new Counting("own", false);
        try (Database db = Database.open(new TableRegistry().add(shared).add(own))) {
            try (RowCache.Scope s = RowCache.open()) {
                assertThat(db.query("SELECT sum(n), max(s) FROM shared").rows().get(0)).containsExactly(6L, "gen1");
                assertThat(db.query("SELECT count(n), min(s) FROM shared").rows().get(0)).containsExactly(3L, "gen1");
                assertThat(shared.generated.get()).isEqualTo(1);
                // Other columns or constraints: the rows it would have generated itself.
                db.query("SELECT n FROM shared");
                assertThat(shared.generated.get()).isEqualTo(2);
                db.query("SELECT * FROM own");
                db.query("SELECT * FROM own");
                assertThat(own.generated.get()).isEqualTo(2);
            }
            db.query("SELECT * FROM shared");
            db.query("SELECT * FROM shared");
            assertThat(shared.generated.get()).isEqualTo(4);
            // A new scope starts afresh.
            try (RowCache.Scope s = RowCache.open()) {
                assertThat(db.query("SELECT max(s) FROM shared").rows().get(0)[0]).isEqualTo("gen5");
            }
        }
    }
}
