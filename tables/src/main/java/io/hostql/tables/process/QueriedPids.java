package io.hostql.tables.process;

import io.hostql.os.proc.ProcFs;
import io.hostql.sql.table.Constraint;
import io.hostql.sql.table.ConstraintOp;
import io.hostql.sql.table.QueryContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The processes a query on a process table reads: the pid constraints pushed down, or every process. */
final class QueriedPids {
    private QueriedPids() {}

    /**
     * The pids asked for by {@code pid = n} / {@code pid IN (...)}, or null when the query does not
     * limit pid (then every process is read). Pushdown must never drop rows: any EQ value that is not
     * an integer makes it a full scan.
     */
    static List<Long> requested(QueryContext ctx) {
        List<Long> out = new ArrayList<>();
        boolean any = false;
        for (Constraint c : ctx.constraints("pid")) {
            if (c.op() != ConstraintOp.EQ) continue;
            any = true;
            if (c.value() == null) continue; // pid = NULL matches nothing
            Long v = c.asLong();
            if (v == null || (c.value() instanceof Double d && d != Math.rint(d))) return null;
            if (!out.contains(v)) out.add(v);
        }
        return any ? out : null;
    }

    /**
     * The requested processes that exist and are processes (not threads, which /proc also resolves by
     * id but does not list), or all.
     */
    static long[] of(ProcFs fs, QueryContext ctx) {
        List<Long> wanted = requested(ctx);
        if (wanted == null) return ProcFs.allPids();
        long[] out = new long[wanted.size()];
        int n = 0;
        for (long pid : wanted) if (pid > 0 && fs.isProcess(pid)) out[n++] = pid;
        out = Arrays.copyOf(out, n);
        Arrays.sort(out);
        return out;
    }
}
