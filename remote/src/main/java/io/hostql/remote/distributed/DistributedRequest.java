package io.hostql.remote.distributed;

/**
 * The id of the distributed query running on this thread, as osquery's {@code getCurrentRequestId}:
 * a carve that query starts reports it as its {@code request_id}. Empty outside distributed queries.
 */
public final class DistributedRequest {
    private static final ThreadLocal<String> CURRENT = ThreadLocal.withInitial(() -> "");

    private DistributedRequest() {}

    public static String currentId() {
        return CURRENT.get();
    }

    static void set(String id) {
        CURRENT.set(id == null ? "" : id);
    }
}
