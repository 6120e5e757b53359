package io.hostql.remote.enroll;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hostql.config.Settings;
import io.hostql.config.SettingsException;
import io.hostql.config.flags.RemoteFlags;
import io.hostql.remote.transport.HttpsTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node key: enrolls with the manager's enroll endpoint when there is none (the enroll secret,
 * the host identifier and host_details, as osquery's tls enroll plugin), keeps it in
 * {@code <database_path>/node_key} (0600; its mtime is the enroll time), and drops it when the
 * server answers node_invalid so the next request enrolls again. Failed enrollments back off by
 * step² seconds up to {@code --tls_enroll_max_interval}, without blocking: a request in the back-off
 * fails at once, saying when the next attempt is.
 */
public final class Enroller {
    private static final Logger log = LoggerFactory.getLogger(Enroller.class);
    public static final String NODE_KEY_FILE = "node_key";
    /** osquery's PlatformType mask for a Linux build: POSIX (0x01) | LINUX (0x08). */
    static final String PLATFORM_TYPE = "9";

    private final HttpsTransport transport;
    private final String endpoint, secretSource, secretKeyName, hostIdentifier;
    private final Supplier<String> secret;
    private final Supplier<ObjectNode> hostDetails;
    private final Path keyFile;
    private final long maxAttempts, maxInterval;
    private final boolean disableEnrollment, disableReenrollment;
    private String nodeKey;
    private volatile long enrolledAt;
    private int failures;
    private long nextAttemptMillis;

    public Enroller(HttpsTransport transport, Settings s, Path dataDir, String hostIdentifier, Supplier<ObjectNode> hostDetails) {
        this.transport = transport;
        this.endpoint = s.get(RemoteFlags.ENROLL_TLS_ENDPOINT).strip();
        this.hostIdentifier = hostIdentifier;
        this.hostDetails = hostDetails;
        this.keyFile = dataDir.resolve(NODE_KEY_FILE);
        this.maxAttempts = s.get(RemoteFlags.TLS_ENROLL_MAX_ATTEMPTS);
        this.maxInterval = Math.max(1, s.get(RemoteFlags.TLS_ENROLL_MAX_INTERVAL));
        this.disableEnrollment = s.get(RemoteFlags.DISABLE_ENROLLMENT);
        this.disableReenrollment = s.get(RemoteFlags.DISABLE_REENROLLMENT);
        this.secretKeyName = s.get(RemoteFlags.TLS_ENROLL_OVERRIDE).strip().isEmpty() ? "enroll_secret" : s.get(RemoteFlags.TLS_ENROLL_OVERRIDE).strip();
        String path = s.get(RemoteFlags.ENROLL_SECRET_PATH).strip(), env = s.get(RemoteFlags.ENROLL_SECRET_ENV).strip();
        if (!disableEnrollment && endpoint.isEmpty()) {
            throw new SettingsException("enroll_tls_endpoint is empty: set it to the manager's enroll path (Fleet: /api/v1/osquery/enroll),"
                    + " or --disable_enrollment when the node key is provisioned");
        }
        if (!path.isEmpty()) {
            secretSource = "--enroll_secret_path " + path;
            Path p = Path.of(path);
            warnIfShared(p);
            secret = () -> readSecret(p);
        } else if (!env.isEmpty()) {
            secretSource = "$" + env + " (--enroll_secret_env)";
            secret = () -> System.getenv().getOrDefault(env, "").strip();
        } else {
            secretSource = "no enroll secret (--enroll_secret_path or --enroll_secret_env)";
            secret = () -> "";
        }
        if (s.get(RemoteFlags.TLS_SECRET_ALWAYS)) transport.sendAlways(secretKeyName, secret);
        if (s.get(RemoteFlags.ENROLL_ALWAYS)) deleteKey("--enroll_always");
        this.nodeKey = readKey();
    }

    private static void warnIfShared(Path p) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (perms.contains(PosixFilePermission.OTHERS_READ)) {
                log.warn("the enroll secret file {} is readable by every user (mode {}); make it 0600 or 0640", p,
                        PosixFilePermissions.toString(perms));
            }
        } catch (NoSuchFileException e) {
            log.warn("the enroll secret file {} does not exist (--enroll_secret_path); enrollment fails until it does", p);
        } catch (IOException | UnsupportedOperationException e) {
            // Unreadable modes: reading the secret says what is wrong.
        }
    }

    private String readSecret(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8).strip(); // files often end with a newline
        } catch (IOException e) {
            return null;
        }
    }

    private String readKey() {
        try {
            String k = Files.readString(keyFile, StandardCharsets.UTF_8).strip();
            if (k.isEmpty()) return null;
            enrolledAt = Files.getLastModifiedTime(keyFile).toMillis() / 1000;
            return k;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            log.error("cannot read the node key {}: {}; enrolling again", keyFile, e.getMessage());
            return null;
        }
    }

    /** Unix seconds of the current key's enrollment, 0 when there is none. */
    public long enrolledAt() {
        return enrolledAt;
    }

    /** The node key, enrolling first when there is none. Throws when enrollment fails or is backing off. */
    public synchronized String nodeKey() throws IOException {
        if (nodeKey != null) return nodeKey;
        if (disableEnrollment) return "";
        if (maxAttempts > 0 && failures >= maxAttempts) {
            throw new IOException("enrollment failed " + failures + " times (--tls_enroll_max_attempts " + maxAttempts
                    + "); no more attempts until hostqld restarts");
        }
        long wait = nextAttemptMillis - System.currentTimeMillis();
        if (wait > 0) throw new IOException("enrollment is backing off after " + failures + " failures; next attempt in " + (wait + 999) / 1000 + " s");
        try {
            String key = enroll();
            failures = 0;
            nodeKey = key;
            saveKey(key);
            log.info("enrolled with {} as '{}'", transport.url(endpoint), hostIdentifier);
            return key;
        } catch (IOException e) {
            failures++;
            nextAttemptMillis = System.currentTimeMillis() + Math.min((long) failures * failures, maxInterval) * 1000;
            throw e;
        }
    }

    private String enroll() throws IOException {
        String s = secret.get();
        if (s == null) throw new IOException("enroll: cannot read the enroll secret " + secretSource);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put(secretKeyName, s);
        body.put("host_identifier", hostIdentifier);
        body.put("platform_type", PLATFORM_TYPE);
        body.set("host_details", hostDetails.get());
        ObjectNode reply = transport.post(endpoint, body, null, false);
        String url = transport.url(endpoint);
        if (reply.path("node_invalid").asBoolean(false)) {
            String why = "POST " + url + ": the server refused enrollment (node_invalid" + error(reply) + "); check the enroll secret in "
                    + secretSource;
            transport.status().failure(endpoint, url, 200, why);
            throw new IOException(why);
        }
        JsonNode key = reply.hasNonNull("node_key") ? reply.get("node_key") : reply.get("id");
        if (key == null || !key.isTextual() || key.asText().isEmpty()) {
            String why = "POST " + url + ": the enroll reply has no node_key" + error(reply);
            transport.status().failure(endpoint, url, 200, why);
            throw new IOException(why);
        }
        return key.asText();
    }

    /** ": <the reply's error>", or "" when it has none: the tail of a status line. */
    public static String error(JsonNode reply) {
        JsonNode e = reply.get("error");
        return e == null || e.isNull() ? "" : ": " + (e.isTextual() ? e.asText() : e.toString());
    }

    /**
     * The server said node_invalid for key: drops it (once: a request that still carried an older key
     * does not drop the new one) so the next {@link #nodeKey} enrolls. False when
     * {@code --disable_reenrollment} keeps the key.
     */
    public synchronized boolean invalidate(String key) {
        if (disableReenrollment) return false;
        if (key != null && key.equals(nodeKey)) {
            log.info("the manager answered node_invalid; enrolling again");
            nodeKey = null;
            deleteKey("node_invalid");
        }
        return true;
    }

    private void saveKey(String key) {
        try {
            Path tmp = keyFile.resolveSibling(NODE_KEY_FILE + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, key, StandardCharsets.UTF_8);
            Files.move(tmp, keyFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            enrolledAt = Files.getLastModifiedTime(keyFile).toMillis() / 1000;
        } catch (IOException e) {
            enrolledAt = System.currentTimeMillis() / 1000;
            log.error("cannot save the node key in {}: {}; hostqld enrolls again when it restarts", keyFile, e.getMessage());
        }
    }

    private void deleteKey(String why) {
        try {
            Files.deleteIfExists(keyFile);
        } catch (IOException e) {
            log.error("cannot delete the node key {} ({}): {}", keyFile, why, e.getMessage());
        }
        nodeKey = null;
        enrolledAt = 0;
    }
}
