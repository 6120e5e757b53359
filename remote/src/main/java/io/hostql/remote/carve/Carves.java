package io.hostql.remote.carve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.ZstdOutputStream;
import io.hostql.config.Settings;
import io.hostql.config.flags.RemoteFlags;
import io.hostql.remote.Attempts;
import io.hostql.remote.RemoteCall;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * osquery's file carver (reference §3.6, §3.7): a request (from the {@code carves} table) creates a
 * carve with a guid, status STARTING; collection runs in the background: the files go into a tar
 * (zstd-compressed with {@code --carver_compression}) under {@code <database_path>/carves}, the status
 * turns PENDING, and the archive is uploaded in {@code --carver_block_size} blocks: one start request
 * for a {@code session_id}, then one request per block, each tried 3 times. The end is SUCCESS or
 * FAILED (with one status line naming the reason). The carves are listed for {@code --carver_expiry}
 * seconds, across restarts ({@code carves.json}); one that a restart interrupted is FAILED.
 */
public final class Carves {
    private static final Logger log = LoggerFactory.getLogger(Carves.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** osquery retries each carve request 3 times. */
    static final int ATTEMPTS = 3;

    public enum Status { STARTING, PENDING, SUCCESS, FAILED }

    /** One carve, as a row of {@code carves}. */
    public record Carve(long time, String sha256, long size, String path, Status status, String guid, String requestId) {
        Carve with(Status s, String sha, long sz) {
            return new Carve(time, sha, sz, path, s, guid, requestId);
        }
    }

    public record Options(boolean enabled, String startEndpoint, String continueEndpoint, long blockSize, boolean compression,
            long expirySeconds, long retryUnitMillis) {
        public static Options from(Settings s) {
            return new Options(!s.get(RemoteFlags.DISABLE_CARVER), s.get(RemoteFlags.CARVER_START_ENDPOINT), s.get(RemoteFlags.CARVER_CONTINUE_ENDPOINT),
                    s.get(RemoteFlags.CARVER_BLOCK_SIZE), s.get(RemoteFlags.CARVER_COMPRESSION), s.get(RemoteFlags.CARVER_EXPIRY), 1000);
        }
    }

    private final Options options;
    private final RemoteCall remote;
    private final Executor executor;
    private final Path dir, file;
    private final Map<String, Carve> carves = new LinkedHashMap<>();

    /** remote is null when there is no manager to upload to: then no carve starts, and a request says why. */
    public Carves(Options options, RemoteCall remote, Executor executor, Path dataDir) {
        this.options = options;
        this.remote = remote;
        this.executor = executor;
        this.dir = dataDir.resolve("carves");
        this.file = dataDir.resolve("carves.json");
        load();
    }

    /** Why a carve cannot start now, or null. */
    private String refusal() {
        if (!options.enabled()) return "carving is disabled (--disable_carver)";
        if (remote == null) return "carving needs the TLS remote API (--tls_hostname and enrollment)";
        if (options.startEndpoint().isEmpty()) return "--carver_start_endpoint is not set";
        if (options.continueEndpoint().isEmpty()) return "--carver_continue_endpoint is not set";
        if (options.blockSize() < 1 || options.blockSize() > 256L * 1024 * 1024) {
            return "--carver_block_size must be between 1 and 268435456 bytes, not " + options.blockSize();
        }
        return null;
    }

    /**
     * Starts a carve of these paths (only regular files are collected), for the distributed query
     * requestId ("" from elsewhere); its guid, or null (one status line) when carving cannot start.
     */
    public synchronized String request(List<Path> paths, String requestId) {
        String no = refusal();
        if (no != null) {
            log.warn("carve of {} not started: {}", paths, no);
            return null;
        }
        String guid = UUID.randomUUID().toString();
        List<String> names = paths.stream().map(Path::toString).toList();
        carves.put(guid, new Carve(System.currentTimeMillis() / 1000, "", -1, String.join(",", names), Status.STARTING, guid,
                requestId));
        save();
        log.info("carve {} started: {}", guid, String.join(", ", names));
        executor.execute(() -> collect(guid, paths));
        return guid;
    }

    /** Every carve not yet expired, oldest first. */
    public synchronized List<Carve> list() {
        long cutoff = System.currentTimeMillis() / 1000 - options.expirySeconds();
        if (carves.values().removeIf(c -> c.time() < cutoff && c.status() != Status.STARTING && c.status() != Status.PENDING)) save();
        return List.copyOf(carves.values());
    }

    private synchronized Carve get(String guid) {
        return carves.get(guid);
    }

    private synchronized void set(Carve c) {
        carves.put(c.guid(), c);
        save();
    }

    private void collect(String guid, List<Path> paths) {
        Carve c = get(guid);
        Path archive = dir.resolve(guid + (options.compression() ? ".tar.zst" : ".tar"));
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            int files = archive(paths, archive);
            if (files == 0) throw new IOException("no regular file to carve in " + c.path());
            long size = Files.size(archive);
            String sha = sha256(archive);
            c = c.with(Status.PENDING, sha, size);
            set(c);
            upload(c, archive);
            set(c.with(Status.SUCCESS, sha, size));
            log.info("carve {} uploaded: {} files, {} bytes in {} blocks", guid, files, size, blocks(size));
        } catch (IOException | RuntimeException e) {
            set(c.with(Status.FAILED, c.sha256(), c.size()));
            log.error("carve {} failed: {}", guid, e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(archive);
            } catch (IOException e) {
                log.warn("carve {}: cannot remove {}: {}", guid, archive, e.getMessage());
            }
        }
    }

    /** The tar of the regular files among paths (zstd when asked); how many went in. */
    private int archive(List<Path> paths, Path archive) throws IOException {
        int files = 0;
        try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(archive));
                OutputStream out = options.compression() ? new ZstdOutputStream(raw) : raw;
                TarWriter tar = new TarWriter(out)) {
            for (Path p : paths) {
                Map<String, Object> a;
                try {
                    a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime,isRegularFile", LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    log.warn("carve: {} is skipped: {}", p, e.getMessage());
                    continue;
                }
                if (!Boolean.TRUE.equals(a.get("isRegularFile"))) {
                    log.warn("carve: {} is skipped: not a regular file", p);
                    continue;
                }
                try (InputStream in = Files.newInputStream(p)) {
                    String name = p.toAbsolutePath().toString().replaceFirst("^/+", "");
                    tar.addFile(name, (Integer) a.get("mode"), ((Number) a.get("uid")).longValue(), ((Number) a.get("gid")).longValue(),
                            ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).toMillis() / 1000, (Long) a.get("size"), in);
                    files++;
                } catch (IOException e) {
                    // The header may be out already: a half entry would corrupt the archive, so the carve fails.
                    throw new IOException("cannot read " + p + ": " + e.getMessage(), e);
                }
            }
        }
        return files;
    }

    private long blocks(long size) {
        return (size + options.blockSize() - 1) / options.blockSize();
    }

    private void upload(Carve c, Path archive) throws IOException {
        Attempts calls = new Attempts(remote, options.retryUnitMillis());
        long size = Files.size(archive), count = blocks(size);
        ObjectNode start = JSON.createObjectNode();
        start.put("block_count", count).put("block_size", options.blockSize()).put("carve_size", size).put("carve_id", c.guid())
                .put("request_id", c.requestId());
        JsonNode session = calls.post(options.startEndpoint(), start, ATTEMPTS).get("session_id");
        if (session == null || !session.isTextual() || session.asText().isEmpty()) {
            throw new IOException("the manager's reply to the carve start has no session_id");
        }
        byte[] block = new byte[(int) options.blockSize()];
        try (InputStream in = Files.newInputStream(archive)) {
            for (long i = 0; i < count; i++) {
                int n = in.readNBytes(block, 0, block.length);
                ObjectNode body = JSON.createObjectNode();
                body.put("block_id", i).put("session_id", session.asText()).put("request_id", c.requestId())
                        .put("data", Base64.getEncoder().encodeToString(n == block.length ? block : java.util.Arrays.copyOf(block, n)));
                calls.post(options.continueEndpoint(), body, ATTEMPTS);
            }
        }
    }

    private static String sha256(Path p) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(p), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void load() {
        if (Files.exists(file)) {
            try {
                for (JsonNode n : JSON.readTree(file.toFile())) {
                    Status s = Status.valueOf(n.path("status").asText());
                    // Collection runs in this process only: one a restart interrupted did not finish.
                    if (s == Status.STARTING || s == Status.PENDING) s = Status.FAILED;
                    Carve c = new Carve(n.path("time").asLong(), n.path("sha256").asText(), n.path("size").asLong(),
                            n.path("path").asText(), s, n.path("carve_guid").asText(), n.path("request_id").asText());
                    carves.put(c.guid(), c);
                }
            } catch (IOException | RuntimeException e) {
                log.error("carves: {} is unreadable ({}); the carves table starts empty", file, e.getMessage());
                carves.clear();
            }
        }
        try (var leftovers = Files.exists(dir) ? Files.list(dir) : java.util.stream.Stream.<Path>empty()) {
            for (Path p : (Iterable<Path>) leftovers::iterator) Files.deleteIfExists(p);
        } catch (IOException e) {
            log.warn("carves: cannot clear {}: {}", dir, e.getMessage());
        }
    }

    private void save() {
        ArrayNode all = JSON.createArrayNode();
        for (Carve c : carves.values()) {
            all.addObject().put("time", c.time()).put("sha256", c.sha256()).put("size", c.size()).put("path", c.path())
                    .put("status", c.status().name()).put("carve_guid", c.guid()).put("request_id", c.requestId());
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, JSON.writeValueAsBytes(all));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // The listing is in memory; only its survival of a restart is lost.
            log.warn("carves: cannot write {}: {}", file, e.getMessage());
        }
    }
}
