package io.hostql.remote.distributed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What distributed queries keep across restarts, in {@code <database_path>/distributed.json} (0600):
 * the query running now (written before it runs and cleared after, so that one found at start killed
 * the process), the denylist (by the query's SQL, so that the manager cannot re-offer a query that
 * kills hostqld under a new id), and when the manager's {@code accelerate} ends (osquery's
 * {@code distributed_accelerate_checkins_expire}). Written whole, synced, then renamed over.
 */
final class DistributedState {
    private static final Logger log = LoggerFactory.getLogger(DistributedState.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    record Denied(String sql, long until, String reason) {}

    private final Path file;
    private final Map<String, String> inFlight = new LinkedHashMap<>();
    private final Map<String, Denied> denylist = new LinkedHashMap<>();
    private long accelerateUntil;

    DistributedState(Path dataDir) {
        this.file = dataDir.resolve("distributed.json");
        load();
    }

    private void load() {
        if (!Files.exists(file)) return;
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isObject()) throw new IOException("not a JSON object");
            root.path("in_flight").fields().forEachRemaining(e -> inFlight.put(e.getKey(), e.getValue().asText()));
            for (Iterator<Map.Entry<String, JsonNode>> it = root.path("denylist").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode d = e.getValue();
                denylist.put(e.getKey(), new Denied(d.path("sql").asText(), d.path("until").asLong(), d.path("reason").asText()));
            }
            accelerateUntil = root.path("accelerate_until").asLong();
        } catch (IOException | RuntimeException e) {
            // Nothing here is worth refusing to start for: the denylist starts empty, and says so.
            log.error("distributed queries: {} is unreadable ({}); starting with no denylist", file, e.getMessage());
            inFlight.clear();
            denylist.clear();
            accelerateUntil = 0;
        }
    }

    /** The queries that were running when the process last died (id to SQL); cleared by {@link #setInFlight}. */
    Map<String, String> inFlight() {
        return Map.copyOf(inFlight);
    }

    void setInFlight(String id, String sql) {
        inFlight.clear();
        if (id != null) inFlight.put(id, sql);
        save();
    }

    void denylist(String sql, long until, String reason) {
        denylist.put(key(sql), new Denied(sql, until, reason));
        save();
    }

    /** The denylisting in force for this SQL at {@code now}, or null (an expired one is dropped). */
    Denied denied(String sql, long now) {
        Denied d = denylist.get(key(sql));
        if (d == null) return null;
        if (d.until() > now) return d;
        denylist.remove(key(sql));
        save();
        return null;
    }

    long accelerateUntil() {
        return accelerateUntil;
    }

    void accelerateUntil(long until) {
        accelerateUntil = until;
        save();
    }

    static String key(String sql) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(sql.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void save() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode f = root.putObject("in_flight");
        inFlight.forEach(f::put);
        ObjectNode d = root.putObject("denylist");
        denylist.forEach((k, v) -> d.putObject(k).put("sql", v.sql()).put("until", v.until()).put("reason", v.reason()));
        root.put("accelerate_until", accelerateUntil);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(JSON.writeValueAsBytes(root)));
                ch.force(true); // the in-flight mark must be on disk before the query that may kill us runs
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // A storage fault: queries still run and are answered; only the crash protection is missing meanwhile.
            throw new StateNotSaved("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static final class StateNotSaved extends RuntimeException {
        StateNotSaved(String message, IOException cause) {
            super(message, cause);
        }
    }
}
