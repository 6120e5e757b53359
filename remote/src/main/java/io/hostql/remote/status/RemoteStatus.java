package io.hostql.remote.status;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every request to the manager did, per endpoint, for hostql_remote_status; and the one place
 * that says so in the status log: a failure is logged when it is new for its endpoint (not on every
 * retry), and the recovery once.
 */
public final class RemoteStatus {
    private static final Logger log = LoggerFactory.getLogger(RemoteStatus.class);

    /** A row of hostql_remote_status. Times are unix seconds, 0 when never. */
    public record Row(String endpoint, String url, long requests, long failures, long lastSuccess, long lastFailure, long lastHttpStatus,
            String lastError, long nodeKeyAge, String configHash, long configApplied, long pendingLines) {}

    private static final class Endpoint {
        final String url;
        long requests, failures, lastSuccess, lastFailure, lastHttpStatus;
        String lastError = "";
        boolean failing;

        Endpoint(String url) {
            this.url = url;
        }
    }

    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    private volatile LongSupplier nodeKeyTime = () -> 0;
    private volatile LongSupplier pendingLogLines = () -> 0;
    private volatile String configEndpoint = "", loggerEndpoint = "", configHash = "";
    private volatile long configApplied;

    private synchronized Endpoint endpoint(String path, String url) {
        return endpoints.computeIfAbsent(path, p -> new Endpoint(url));
    }

    public void success(String path, String url, int httpStatus) {
        Endpoint e = endpoint(path, url);
        boolean recovered;
        synchronized (this) {
            e.requests++;
            e.lastSuccess = now();
            e.lastHttpStatus = httpStatus;
            recovered = e.failing;
            e.failing = false;
        }
        if (recovered) log.info("remote {}: reachable again", url);
    }

    /** Records a failed request; logs it when it is not the endpoint's last error already. */
    public void failure(String path, String url, int httpStatus, String error) {
        Endpoint e = endpoint(path, url);
        boolean repeated;
        synchronized (this) {
            e.requests++;
            e.failures++;
            e.lastFailure = now();
            e.lastHttpStatus = httpStatus;
            repeated = e.failing && e.lastError.equals(error);
            e.lastError = error;
            e.failing = true;
        }
        if (!repeated) log.warn("remote {}", error);
    }

    public void configEndpoint(String path) {
        configEndpoint = path;
    }

    public void loggerEndpoint(String path, LongSupplier pending) {
        loggerEndpoint = path;
        pendingLogLines = pending;
    }

    public void nodeKeyTime(LongSupplier enrolledAt) {
        nodeKeyTime = enrolledAt;
    }

    public void configApplied(String hash) {
        configHash = hash;
        configApplied = now();
    }

    public synchronized List<Row> rows() {
        long enrolled = nodeKeyTime.getAsLong();
        long age = enrolled == 0 ? -1 : Math.max(0, now() - enrolled);
        List<Row> out = new ArrayList<>();
        for (Map.Entry<String, Endpoint> en : endpoints.entrySet()) {
            Endpoint e = en.getValue();
            boolean config = en.getKey().equals(configEndpoint), logger = en.getKey().equals(loggerEndpoint);
            out.add(new Row(en.getKey(), e.url, e.requests, e.failures, e.lastSuccess, e.lastFailure, e.lastHttpStatus, e.lastError, age,
                    config ? configHash : "", config ? configApplied : 0, logger ? pendingLogLines.getAsLong() : 0));
        }
        return out;
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }
}
