package io.hostql.remote.distributed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hostql.sql.QueryResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The bodies of the distributed write (reference §3.5): {@code queries} (every value a JSON string, as
 * osquery sends them; NULL is ""), {@code statuses} (integers), {@code messages} and {@code stats}.
 *
 * <p><b>Beyond osquery</b>: with a cap ({@code --distributed_write_max_bytes}), the results are packed
 * into as few bodies under the cap as they fit in, and a result larger than one body is split: each
 * piece is an ordinary osquery body in which the query's id carries some of its rows, with its status
 * and message (its stats only in the first piece). A manager that knows nothing of the split gets
 * several valid writes for the same id; concatenating their rows gives the result. Fleet publishes each
 * write of a live query ({@code fleet_distributed_query_*}) to the campaign as more rows from the host,
 * and a label or policy query still matches on any piece's rows. A single row larger than the cap is not
 * sent: the query reports a failure saying so. Bodies are built one at a time, as they are sent: a
 * result of a million rows is held once (as the engine's rows), not again as JSON.
 */
final class WriteBodies {
    /** Room left for the {@code node_key} that {@link io.hostql.remote.RemoteCall} adds to every body. */
    static final int NODE_KEY_ALLOWANCE = 1024;
    /** The smallest cap accepted: a body must hold at least a few rows beside the node key. */
    static final long MIN_CAP = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    record Answered(String id, QueryRunner.Outcome outcome) {}

    /** Where each body goes, as soon as it is complete. */
    interface Sink {
        void send(ObjectNode body) throws IOException;
    }

    /** A query's rows [from, to) of its result (none when result is null). */
    private record Entry(String id, QueryResult result, int from, int to, int status, String message, ObjectNode stats) {}

    private final long budget;
    private final long base;
    private final Sink sink;
    private List<Entry> piece = new ArrayList<>();
    private long pieceSize;
    private int sent;

    private WriteBodies(long cap, Sink sink) {
        this.budget = cap <= 0 ? Long.MAX_VALUE : Math.max(cap, MIN_CAP) - NODE_KEY_ALLOWANCE;
        this.sink = sink;
        this.base = size(body(List.of()));
        this.pieceSize = base;
    }

    /**
     * Sends the write bodies for these answers, each under {@code cap} bytes with its node_key (0: one
     * body, as osquery); how many were sent. A failed send stops there (the rest is not sent).
     */
    static int send(List<Answered> answers, long cap, Sink sink) throws IOException {
        WriteBodies w = new WriteBodies(cap, sink);
        for (Answered a : answers) w.add(a);
        w.flush();
        return w.sent;
    }

    private void add(Answered a) throws IOException {
        QueryRunner.Outcome o = a.outcome();
        ObjectNode stats = stats(o.cost());
        QueryResult result = o.result();
        int n = result == null ? 0 : result.rows().size();
        long[] sizes = new long[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            sizes[i] = size(row(result, i)) + 1; // and its comma
            total += sizes[i];
        }
        int status = o.status();
        String message = o.message() == null ? "" : o.message();
        long fixedFirst = fixed(a.id(), status, message, stats), fixedNext = fixed(a.id(), status, message, null);
        for (long s : sizes) {
            if (base + fixedFirst + s > budget) {
                // One row alone does not fit in a body: the manager gets a failure it can show, not a write it rejects.
                String why = "a result row of " + s + " bytes does not fit in one distributed write (--distributed_write_max_bytes "
                        + (budget + NODE_KEY_ALLOWANCE) + ")";
                add(new Entry(a.id(), null, 0, 0, 1, why, stats), fixed(a.id(), 1, why, stats));
                return;
            }
        }
        if (pieceSize + fixedFirst + total <= budget) {
            add(new Entry(a.id(), result, 0, n, status, message, stats), fixedFirst + total);
            return;
        }
        if (!piece.isEmpty() && base + fixedFirst + total <= budget) {
            flush();
            add(new Entry(a.id(), result, 0, n, status, message, stats), fixedFirst + total);
            return;
        }
        // Larger than what is left: the rows go in pieces, each in a body of its own (an id appears once per body).
        int i = 0;
        boolean first = true;
        while (first || i < n) {
            long fixed = first ? fixedFirst : fixedNext;
            if (!piece.isEmpty() && (i >= n || pieceSize + fixed + sizes[i] > budget)) flush();
            long size = fixed;
            int j = i;
            while (j < n && pieceSize + size + sizes[j] <= budget) size += sizes[j++];
            add(new Entry(a.id(), result, i, j, status, message, first ? stats : null), size);
            first = false;
            i = j;
            if (i < n) flush();
        }
    }

    private void add(Entry e, long size) {
        piece.add(e);
        pieceSize += size;
    }

    private void flush() throws IOException {
        if (piece.isEmpty()) return;
        ObjectNode body = body(piece);
        piece = new ArrayList<>();
        pieceSize = base;
        sent++;
        sink.send(body);
    }

    private static ObjectNode body(List<Entry> entries) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode queries = body.putObject("queries"), statuses = body.putObject("statuses"), messages = body.putObject("messages"),
                stats = body.putObject("stats");
        for (Entry e : entries) {
            var rows = queries.putArray(e.id());
            for (int i = e.from(); i < e.to(); i++) rows.add(row(e.result(), i));
            statuses.put(e.id(), e.status());
            messages.put(e.id(), e.message());
            if (e.stats() != null) stats.set(e.id(), e.stats());
        }
        return body;
    }

    /** Bytes an entry adds besides its rows: its id in the four objects, its status, message and stats, and commas. */
    private static long fixed(String id, int status, String message, ObjectNode stats) {
        long key = size(JSON.getNodeFactory().textNode(id)) + 1;
        long n = key + 2 + key + Integer.toString(status).length() + key + size(JSON.getNodeFactory().textNode(message)) + 4;
        if (stats != null) n += key + size(stats);
        return n;
    }

    /** A row as osquery serializes it: an object in column order, every value a string (NULL is ""). */
    private static ObjectNode row(QueryResult r, int i) {
        ObjectNode o = JSON.createObjectNode();
        Object[] row = r.rows().get(i);
        for (int c = 0; c < row.length; c++) o.put(r.columns().get(c), QueryResult.text(row[c], ""));
        return o;
    }

    private static ObjectNode stats(QueryRunner.Cost c) {
        ObjectNode s = JSON.createObjectNode();
        s.put("wall_time_ms", c.wallTimeMs()).put("user_time", c.userTimeMs()).put("system_time", c.systemTimeMs())
                .put("memory", c.memoryBytes());
        return s;
    }

    static long size(Object node) {
        try {
            return JSON.writeValueAsBytes(node).length;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
