package io.hostql.remote;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * osquery's retry of one request ({@code TLSRequestHelper::go} with attempts): up to {@code attempts}
 * tries, sleeping i² units after the i-th failure. The unit is a second in hostqld; tests shorten it.
 */
public final class Attempts {
    private final RemoteCall remote;
    private final long unitMillis;

    public Attempts(RemoteCall remote, long unitMillis) {
        this.remote = remote;
        this.unitMillis = unitMillis;
    }

    /** The reply of the first attempt that succeeds; the last failure when every attempt fails. */
    public ObjectNode post(String path, ObjectNode body, long attempts) throws IOException {
        long n = Math.max(1, attempts);
        for (long i = 1; ; i++) {
            try {
                return remote.post(path, body); // sent again as it is: a node_key the implementation added is replaced
            } catch (IOException e) {
                if (i >= n) throw e;
            }
            try {
                Thread.sleep(i * i * unitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted between attempts of " + path);
            }
        }
    }
}
