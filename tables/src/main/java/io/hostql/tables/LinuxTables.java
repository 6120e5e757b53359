package io.hostql.tables;

import io.hostql.config.Settings;
import io.hostql.config.flags.TableFlags;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableRegistry;
import io.hostql.tables.addons.AddonTables;
import io.hostql.tables.cloud.CloudTables;
import io.hostql.tables.fetchers.FetcherTables;
import io.hostql.tables.files.FileTables;
import io.hostql.tables.hardware.HardwareTables;
import io.hostql.tables.network.NetworkTables;
import io.hostql.tables.packages.PackageTables;
import io.hostql.tables.process.ProcessTables;
import io.hostql.tables.scheduling.SchedulingTables;
import io.hostql.tables.security.SecurityTables;
import io.hostql.tables.self.DaemonState;
import io.hostql.tables.self.SelfTables;
import io.hostql.tables.storage.StorageTables;
import io.hostql.tables.system.SystemTables;
import io.hostql.tables.users.UserTables;
import io.hostql.tables.yara.YaraTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Every snapshot table hostql builds on Linux. Each area lists its own tables, one line each. */
public final class LinuxTables {
    private LinuxTables() {}

    public static List<Table> all(Settings settings) {
        List<Table> all = new ArrayList<>();
        all.addAll(ProcessTables.all());
        all.addAll(NetworkTables.all());
        all.addAll(UserTables.all());
        all.addAll(SystemTables.all());
        all.addAll(StorageTables.all());
        all.addAll(PackageTables.all());
        all.addAll(SchedulingTables.all());
        all.addAll(FileTables.all());
        all.addAll(HardwareTables.all());
        all.addAll(AddonTables.all());
        all.addAll(SecurityTables.all(settings));
        all.addAll(FetcherTables.all());
        all.addAll(CloudTables.all(settings));
        all.addAll(YaraTable.all(settings));
        return all;
    }

    /** The shell's registry: {@link #registry(Settings, DaemonState)} with no daemon (osquery_schedule etc. empty). */
    public static TableRegistry registry(Settings settings) {
        return registry(settings, DaemonState.NONE);
    }

    /**
     * The one table set of the shell and the daemon: all snapshot tables, minus --disable_tables, limited by
     * --enable_tables, then the tables on hostql itself (osquery_info, osquery_schedule, ...), always present.
     * The evented tables are real tables beside them ({@code EventedTables.all()}), attached or empty.
     */
    public static TableRegistry registry(Settings settings, DaemonState daemon) {
        TableRegistry registry = new TableRegistry();
        Set<String> disabled = csv(settings.get(TableFlags.DISABLE_TABLES));
        Set<String> enabled = csv(settings.get(TableFlags.ENABLE_TABLES));
        for (Table t : all(settings)) {
            String name = t.schema().name();
            if (disabled.contains(name) || (!enabled.isEmpty() && !enabled.contains(name))) continue;
            registry.add(t);
        }
        for (Table t : SelfTables.all(settings, registry, daemon)) registry.add(t);
        return registry;
    }

    private static Set<String> csv(String s) {
        Set<String> out = new HashSet<>();
        for (String x : Arrays.asList(s.split(","))) if (!x.isBlank()) out.add(x.strip());
        return out;
    }
}
