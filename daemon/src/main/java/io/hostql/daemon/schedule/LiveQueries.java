package io.hostql.daemon.schedule;

import io.hostql.config.Settings;
import io.hostql.remote.distributed.QueryRunner;
import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
import io.hostql.sql.SqlException;
import io.hostql.sql.table.TableRegistry;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;
import java.util.List;

/**
 * The engine distributed queries run on: a connection of its own (never the scheduler's), opened for
 * each check-in's batch so that it reads the events.db of the moment (a rebuilt one included), with
 * every table of the daemon's registry and every retained row of the evented tables. Each query runs
 * under the same {@link Watchdog} limits as a scheduled one; a stopped query is reported as such, and
 * the caller denylists it.
 */
public final class LiveQueries implements QueryRunner, AutoCloseable {
    /** SQLite's SQLITE_ERROR and SQLITE_INTERRUPT: the statuses of hostql's own refusals and of a watchdog stop. */
    private static final int SQLITE_ERROR = 1, SQLITE_INTERRUPT = 9;

    private final TableRegistry registry;
    private final Path eventsDb;
    private final List<TableSchema> evented;
    private final Watchdog watchdog;

    public LiveQueries(Settings settings, TableRegistry registry, Path eventsDb, List<TableSchema> evented) {
        this.registry = registry;
        this.eventsDb = eventsDb;
        this.evented = evented;
        this.watchdog = Watchdog.of(settings);
    }

    @Override
    public Batch batch() {
        QueryEngine engine = QueryEngine.live(registry, eventsDb, evented);
        watchdog.watch(engine);
        return new Batch() {
            @Override
            public Outcome run(String sql) {
                RunCost cost = RunCost.start();
                watchdog.begin();
                QueryResult result = null;
                int status = 0;
                String failure = null;
                try (Database.Statement s = engine.database().prepare(sql)) {
                    result = s.query();
                } catch (SqlException e) {
                    // SQLite's primary result code, as osquery reports it; hostql's own refusals (read-only) are SQLITE_ERROR.
                    status = e.code() == 0 ? SQLITE_ERROR : e.code() & 0xff;
                    failure = e.getMessage();
                } catch (RuntimeException | OutOfMemoryError e) {
                    status = SQLITE_ERROR;
                    failure = e.getMessage() == null ? e.toString() : e.getMessage();
                }
                String stopped = watchdog.end();
                RunCost.Measured m = cost.end();
                Cost c = new Cost(m.wallMs(), m.userMs(), m.systemMs(), m.memoryBytes());
                if (stopped != null) return Outcome.failed(SQLITE_INTERRUPT, stopped, c, true);
                return failure == null ? Outcome.ok(result, c) : Outcome.failed(status, failure, c, false);
            }

            @Override
            public void close() {
                engine.close();
            }
        };
    }

    @Override
    public void close() {
        watchdog.close();
    }
}
