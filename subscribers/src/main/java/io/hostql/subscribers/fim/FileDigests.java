package io.hostql.subscribers.fim;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** MD5, SHA-1 and SHA-256 of a regular file in one read, up to a size cap. */
final class FileDigests {
    record Result(String md5, String sha1, String sha256) {}

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
    private final byte[] chunk = new byte[256 * 1024];

    /** Null when the path is not a regular file or is larger than maxBytes. */
    Result hash(byte[] path, long maxBytes) throws IOException {
        try (FileChannel ch = NativeFiles.openRegular(path)) {
            if (ch == null || ch.size() > maxBytes) return null;
            MessageDigest md5 = digest("MD5"), sha1 = digest("SHA-1"), sha256 = digest("SHA-256");
            buffer.clear();
            while (ch.read(buffer) > 0 || buffer.position() > 0) {
                buffer.flip();
                int n = buffer.remaining();
                buffer.get(chunk, 0, n);
                md5.update(chunk, 0, n);
                sha1.update(chunk, 0, n);
                sha256.update(chunk, 0, n);
                buffer.clear();
            }
            HexFormat hex = HexFormat.of();
            return new Result(hex.formatHex(md5.digest()), hex.formatHex(sha1.digest()), hex.formatHex(sha256.digest()));
        }
    }

    private static MessageDigest digest(String alg) {
        try {
            return MessageDigest.getInstance(alg);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
