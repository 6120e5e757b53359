package io.hostql.tables.system;

import io.hostql.os.Libc;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.util.Map;
import java.util.TreeMap;

/** ulimit_info: this process's resource limits (getrlimit), "unlimited" for RLIM_INFINITY, in osquery's order. */
public final class UlimitInfoTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("ulimit_info", "System resource usage limits.")
            .text("type").text("soft_limit").text("hard_limit")
            .build();

    /** Sorted by name, as osquery's std::map yields them. */
    private static final Map<String, Integer> RESOURCES = new TreeMap<>(Map.ofEntries(
            Map.entry("cpu", Libc.RLIMIT_CPU), Map.entry("fsize", Libc.RLIMIT_FSIZE), Map.entry("data", Libc.RLIMIT_DATA),
            Map.entry("stack", Libc.RLIMIT_STACK), Map.entry("core", Libc.RLIMIT_CORE), Map.entry("nofile", Libc.RLIMIT_NOFILE),
            Map.entry("as", Libc.RLIMIT_AS), Map.entry("rss", Libc.RLIMIT_RSS), Map.entry("memlock", Libc.RLIMIT_MEMLOCK),
            Map.entry("nproc", Libc.RLIMIT_NPROC), Map.entry("locks", Libc.RLIMIT_LOCKS),
            Map.entry("sigpending", Libc.RLIMIT_SIGPENDING), Map.entry("msgqueue", Libc.RLIMIT_MSGQUEUE),
            Map.entry("nice", Libc.RLIMIT_NICE), Map.entry("rtprio", Libc.RLIMIT_RTPRIO)));

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        long[] rlim = new long[2];
        for (Map.Entry<String, Integer> e : RESOURCES.entrySet()) {
            if (Libc.getrlimit(e.getValue(), rlim) != 0) continue;
            rows.add().set("type", e.getKey()).set("soft_limit", format(rlim[0])).set("hard_limit", format(rlim[1]));
        }
    }

    /** rlim_t is unsigned: RLIM_INFINITY is all ones. */
    static String format(long v) {
        return v == -1L ? "unlimited" : Long.toUnsignedString(v);
    }
}
