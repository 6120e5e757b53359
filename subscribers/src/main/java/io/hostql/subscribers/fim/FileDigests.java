package io.hostql.subscribers.fim;

import com.sun.jna.Memory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** MD5, SHA-1 and SHA-256 of a regular file in one read, up to a size cap. Not thread-safe: one per subscriber. */
final class FileDigests {
    record Result(String md5, String sha1, String sha256) {}

    private final Memory buffer = new Memory(256 * 1024);
    private final MessageDigest md5 = digest("MD5"), sha1 = digest("SHA-1"), sha256 = digest("SHA-256");

    private final boolean[] digested = new boolean[1];

    /** The stat of the opened file and its digests (null when not a regular file, or over maxBytes). */
    record Opened(NativeFiles.Stat stat, Result hashes) {}

    /** Null when the path cannot be opened. */
    Opened open(byte[] cpath, long maxBytes) {
        md5.reset();
        sha1.reset();
        sha256.reset();
        NativeFiles.Stat st = NativeFiles.openAndDigest(cpath, maxBytes, buffer, digested, md5, sha1, sha256);
        if (st == null) return null;
        if (!digested[0]) return new Opened(st, null);
        HexFormat hex = HexFormat.of();
        return new Opened(st, new Result(hex.formatHex(md5.digest()), hex.formatHex(sha1.digest()), hex.formatHex(sha256.digest())));
    }

    private static MessageDigest digest(String alg) {
        try {
            return MessageDigest.getInstance(alg);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
