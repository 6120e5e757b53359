package io.hostql.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server side of the distributed and carve endpoints (reference §3.4–3.7): it answers as the
 * reference says a server answers, checks the bodies it gets, and keeps what it received. In process it
 * is a {@link RemoteCall} that adds the node key as the real one does; over HTTPS the TLS test server
 * serves the same answers ({@link #answer}) at these paths, so there is one implementation of the
 * server side for both.
 */
public final class InProcessManager implements RemoteCall {
    public static final String READ = "/api/v1/osquery/distributed/read", WRITE = "/api/v1/osquery/distributed/write",
            CARVE_BEGIN = "/api/v1/osquery/carve/begin", CARVE_BLOCK = "/api/v1/osquery/carve/block";
    static final String NODE_KEY = "in-process-node-key";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A carve session: the start request and the blocks received, by block_id. */
    public record Session(ObjectNode start, Map<Long, byte[]> blocks) {}

    private final Deque<Object> readReplies = new ArrayDeque<>();
    private final List<ObjectNode> writes = new ArrayList<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private long maxBodyBytes = Long.MAX_VALUE;
    private int reads;

    /** Rejects (HTTP 413, as an IOException) a request body larger than this, as a server's body limit. */
    public synchronized InProcessManager maxBodyBytes(long max) {
        this.maxBodyBytes = max;
        return this;
    }

    /** The reply to the next distributed read (JSON text); an IOException to throw it instead. Then {"queries":{}}. */
    public synchronized InProcessManager offer(Object reply) {
        readReplies.add(reply);
        return this;
    }

    public synchronized List<ObjectNode> writes() {
        return List.copyOf(writes);
    }

    public synchronized int reads() {
        return reads;
    }

    public Map<String, Session> sessions() {
        return sessions;
    }

    /** The carve's uploaded blocks put back together, in block_id order; null when no carve has this id. */
    public byte[] carve(String carveId) {
        for (Session s : sessions.values()) {
            if (!s.start().path("carve_id").asText().equals(carveId)) continue;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new TreeMap<>(s.blocks()).values().forEach(out::writeBytes);
            return out.toByteArray();
        }
        return null;
    }

    /** A request the server refuses, with the HTTP status it answers (over HTTPS) and why. */
    public static final class Refused extends IOException {
        public final int status;

        Refused(String path, int status, String why) {
            super(path + ": HTTP " + status + (why.isEmpty() ? "" : " (" + why + ")"));
            this.status = status;
        }
    }

    /** GNU tar unpacks a zstd-compressed carve into dir (created); an archive tar refuses fails the test with what tar said. */
    public static Path unpackZstdTar(byte[] carve, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path tar = dir.resolveSibling(dir.getFileName() + ".tar");
        try (ZstdInputStream in = new ZstdInputStream(new ByteArrayInputStream(carve))) {
            Files.write(tar, in.readAllBytes());
        }
        Process p = new ProcessBuilder("tar", "-xf", tar.toString(), "-C", dir.toString()).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new AssertionError("GNU tar refuses the carve: " + said);
        return dir;
    }

    @Override
    public ObjectNode post(String path, ObjectNode body) throws IOException {
        ObjectNode sent = body.deepCopy();
        sent.put("node_key", NODE_KEY);
        return answer(path, sent);
    }

    /** The reply to a request body as it arrived (node key included); a Refused for what a server refuses. */
    public synchronized ObjectNode answer(String path, ObjectNode sent) throws IOException {
        long size = JSON.writeValueAsBytes(sent).length;
        if (size > maxBodyBytes) throw new Refused(path, 413, "a body of " + size + " bytes; the limit is " + maxBodyBytes);
        return switch (path) {
            case READ -> read();
            case WRITE -> write(sent);
            case CARVE_BEGIN -> carveBegin(sent);
            case CARVE_BLOCK -> carveBlock(sent);
            default -> throw new Refused(path, 404, "");
        };
    }

    private ObjectNode read() throws IOException {
        reads++;
        Object next = readReplies.poll();
        if (next == null) return (ObjectNode) JSON.readTree("{\"queries\":{}}");
        if (next instanceof IOException e) throw e;
        return (ObjectNode) JSON.readTree(next.toString());
    }

    private ObjectNode write(ObjectNode body) throws IOException {
        for (String key : List.of("queries", "statuses", "messages")) {
            if (!body.path(key).isObject()) throw new Refused(WRITE, 400, "'" + key + "' is not an object");
        }
        writes.add(body);
        return JSON.createObjectNode();
    }

    private ObjectNode carveBegin(ObjectNode body) throws IOException {
        for (String key : List.of("block_count", "block_size", "carve_size")) {
            if (!body.path(key).isIntegralNumber()) throw new Refused(CARVE_BEGIN, 400, "'" + key + "' is not a number");
        }
        for (String key : List.of("carve_id", "request_id", "node_key")) {
            if (!body.path(key).isTextual()) throw new Refused(CARVE_BEGIN, 400, "'" + key + "' is not a string");
        }
        String session = "session-" + (sessions.size() + 1);
        sessions.put(session, new Session(body, new ConcurrentHashMap<>()));
        ObjectNode reply = JSON.createObjectNode();
        reply.put("session_id", session);
        return reply;
    }

    private ObjectNode carveBlock(ObjectNode body) throws IOException {
        Session s = sessions.get(body.path("session_id").asText());
        if (s == null) throw new Refused(CARVE_BLOCK, 404, "no session " + body.path("session_id"));
        JsonNode id = body.path("block_id");
        if (!id.isIntegralNumber() || id.asLong() < 0 || id.asLong() >= s.start().path("block_count").asLong()) {
            throw new Refused(CARVE_BLOCK, 400, "block_id " + id);
        }
        if (!body.path("request_id").asText().equals(s.start().path("request_id").asText())) {
            throw new Refused(CARVE_BLOCK, 400, "request_id differs from the start's");
        }
        byte[] data = Base64.getDecoder().decode(body.path("data").asText());
        if (data.length > s.start().path("block_size").asLong()) throw new Refused(CARVE_BLOCK, 400, "block too large");
        s.blocks().put(id.asLong(), data);
        ObjectNode reply = JSON.createObjectNode();
        reply.put("success", true);
        return reply;
    }
}
