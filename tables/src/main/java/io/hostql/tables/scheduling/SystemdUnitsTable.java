package io.hostql.tables.scheduling;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * systemd_units. With systemd running, as osquery: the units systemd has loaded (ListUnits over
 * D-Bus, on systemd's private socket or the system bus) with their FragmentPath, SourcePath, User
 * and UnitFileState. Without a reachable systemd (a container), the unit files of the search path
 * instead, read from disk: id, description, load_state (loaded or masked), unit_file_state,
 * object_path, fragment_path, user and source_path; the runtime columns (active_state, sub_state,
 * following, job_*) are NULL because no manager runs them.
 */
public final class SystemdUnitsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("systemd_units", "Track systemd units.")
            .text("id").text("description").text("load_state").text("active_state").text("sub_state")
            .text("unit_file_state").text("following").text("object_path").bigint("job_id").text("job_type")
            .text("job_path").text("fragment_path").text("user").text("source_path")
            .build();

    private final Supplier<List<Systemd.LoadedUnit>> running;
    private final Supplier<UnitFiles> files;

    public SystemdUnitsTable() {
        this(Systemd::loadedUnits, UnitFiles::new);
    }

    /** Unit files under another root, no running systemd (tests). */
    SystemdUnitsTable(Path root) {
        this(() -> null, () -> new UnitFiles(root));
    }

    private SystemdUnitsTable(Supplier<List<Systemd.LoadedUnit>> running, Supplier<UnitFiles> files) {
        this.running = running;
        this.files = files;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        List<Systemd.LoadedUnit> loaded = running.get();
        if (loaded != null) {
            for (Systemd.LoadedUnit u : loaded) {
                rows.add().set("id", u.id).set("description", u.description).set("load_state", u.loadState)
                        .set("active_state", u.activeState).set("sub_state", u.subState)
                        .set("unit_file_state", u.unitFileState).set("following", u.following)
                        .set("object_path", u.objectPath).set("job_id", u.jobId).set("job_type", u.jobType)
                        .set("job_path", u.jobPath).set("fragment_path", u.fragmentPath).set("user", u.user)
                        .set("source_path", u.sourcePath);
            }
            return;
        }
        for (UnitFiles.Unit u : files.get().all().values()) {
            boolean masked = u.state.startsWith("masked");
            rows.add().set("id", u.id).set("description", u.description != null ? u.description : u.id)
                    .set("load_state", masked ? "masked" : u.state.equals("bad") ? "not-found" : "loaded")
                    .set("unit_file_state", u.state).set("object_path", Systemd.objectPath(u.id))
                    .set("fragment_path", u.fragment == null ? "" : u.fragment.toString())
                    .set("user", u.user == null ? "" : u.user)
                    .set("source_path", u.sourcePath == null ? "" : u.sourcePath);
        }
    }
}
