package io.hostql.tables.system;

import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;
import java.util.Locale;

/** load_average: the 1, 5 and 15 minute load averages from /proc/loadavg, formatted as osquery does ("%f"). */
public final class LoadAverageTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("load_average", "Displays information about the system wide load averages.")
            .text("period").text("average")
            .build();
    private static final String[] PERIODS = {"1m", "5m", "15m"};

    private final Path loadavg;

    public LoadAverageTable() {
        this(Path.of("/proc/loadavg"));
    }

    LoadAverageTable(Path loadavg) {
        this.loadavg = loadavg;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        String text = SysFiles.read(loadavg);
        if (text == null) return;
        String[] f = SysFiles.WS.split(text);
        if (f.length < 3) throw new IllegalStateException(loadavg + ": expected three load averages, got: " + text);
        for (int i = 0; i < 3; i++) {
            double v;
            try {
                v = Double.parseDouble(f[i]);
            } catch (NumberFormatException e) {
                throw new IllegalStateException(loadavg + ": not a load average: " + f[i]);
            }
            rows.add().set("period", PERIODS[i]).set("average", String.format(Locale.ROOT, "%.6f", v));
        }
    }
}
