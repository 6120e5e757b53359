package io.hostql.remote.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hostql.config.Settings;
import io.hostql.remote.RemoteCall;
import io.hostql.remote.enroll.Enroller;
import io.hostql.remote.status.RemoteStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * {@link RemoteCall} over {@link HttpsTransport}: every request after enrollment carries the node key
 * (in the body and the Authorization header); a node_invalid reply re-enrolls once and repeats the
 * request once; an {@code error} key fails the request.
 */
public final class RemoteClient implements RemoteCall {
    private final HttpsTransport transport;
    private final Enroller enroller;

    public RemoteClient(HttpsTransport transport, Enroller enroller) {
        this.transport = transport;
        this.enroller = enroller;
        transport.status().nodeKeyTime(enroller::enrolledAt);
    }

    /** The client the flags describe; hostDetails is asked at each enrollment. */
    public static RemoteClient create(Settings s, Path dataDir, String hostIdentifier, Supplier<ObjectNode> hostDetails) {
        HttpsTransport t = new HttpsTransport(HttpsTransport.Options.of(s), new RemoteStatus());
        return new RemoteClient(t, new Enroller(t, s, dataDir, hostIdentifier, hostDetails));
    }

    public HttpsTransport transport() {
        return transport;
    }

    public RemoteStatus status() {
        return transport.status();
    }

    @Override
    public ObjectNode post(String path, ObjectNode body) throws IOException {
        return post(path, body, false);
    }

    /** As {@link #post(String, ObjectNode)}; gzip compresses the body (the logger's --logger_tls_compress). */
    public ObjectNode post(String path, ObjectNode body, boolean gzip) throws IOException {
        String key = enroller.nodeKey();
        ObjectNode sent = body.deepCopy();
        sent.put("node_key", key);
        ObjectNode reply = transport.post(path, sent, key, gzip);
        if (nodeInvalid(reply)) {
            fail(path, "the manager answered node_invalid" + Enroller.error(reply));
            if (!enroller.invalidate(key)) throw new IOException(failure(path, "node_invalid, and --disable_reenrollment keeps the node key"));
            key = enroller.nodeKey();
            sent.put("node_key", key);
            reply = transport.post(path, sent, key, gzip);
            if (nodeInvalid(reply)) {
                enroller.invalidate(key);
                throw new IOException(fail(path, "node_invalid again right after enrolling" + Enroller.error(reply)));
            }
        }
        if (reply.has("error") && !reply.get("error").isNull()) throw new IOException(fail(path, "the manager answered" + Enroller.error(reply)));
        return reply;
    }

    private static boolean nodeInvalid(ObjectNode reply) {
        return reply.path("node_invalid").asBoolean(false);
    }

    private String failure(String path, String what) {
        return "POST " + transport.url(path) + ": " + what;
    }

    private String fail(String path, String what) {
        String m = failure(path, what);
        transport.status().failure(path, transport.url(path), 200, m);
        return m;
    }
}
