package io.hostql.loggers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * An append-only line file with osquery's size rotation: when a write would take it past maxBytes,
 * it becomes {@code name.1} (older ones shift to {@code .2} ... {@code .maxFiles}, the oldest is
 * removed) and a new file is started. Created with the given mode, which is enforced even under a
 * permissive umask, because result lines can hold secrets.
 */
final class RotatingFile implements AutoCloseable {
    private final Path path;
    private final Set<PosixFilePermission> mode;
    private final long maxBytes;
    private final int maxFiles;
    private FileChannel channel;
    private long size;
    private boolean torn;

    /** maxBytes <= 0: never rotate. */
    RotatingFile(Path path, String octalMode, long maxBytes, int maxFiles) {
        this.path = path;
        this.mode = permissions(octalMode);
        this.maxBytes = maxBytes;
        this.maxFiles = Math.max(1, maxFiles);
    }

    static Set<PosixFilePermission> permissions(String octal) {
        int m;
        try {
            m = Integer.parseInt(octal.strip(), 8);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("logger_mode must be an octal file mode such as 0640, got '" + octal + "'");
        }
        if (m < 0 || m > 0777) throw new IllegalArgumentException("logger_mode must be between 0000 and 0777, got '" + octal + "'");
        StringBuilder s = new StringBuilder();
        String rwx = "rwx";
        for (int bit = 8; bit >= 0; bit--) s.append((m & (1 << bit)) != 0 ? rwx.charAt(2 - bit % 3) : '-');
        return PosixFilePermissions.fromString(s.toString());
    }

    Path path() {
        return path;
    }

    synchronized void append(List<String> lines) throws IOException {
        if (lines.isEmpty()) return;
        StringBuilder sb = new StringBuilder();
        if (torn) sb.append('\n'); // ends the torn line of a failed append, so the next lines parse
        for (String l : lines) sb.append(l).append('\n');
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        open();
        if (maxBytes > 0 && size > 0 && size + bytes.length > maxBytes) {
            rotate();
            open();
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        long before = channel.size();
        try {
            while (buf.hasRemaining()) channel.write(buf);
        } catch (IOException e) {
            // A full or failing disk can take part of the lines: cut them off, so the file holds whole
            // lines only and the caller's retry (or the next lines) does not follow half a JSON document.
            try {
                channel.truncate(before);
            } catch (IOException ignored) {
                torn = true; // the disk refuses even that: the next append starts with a newline
            }
            throw e;
        }
        size = before + bytes.length;
        torn = false;
    }

    private void open() throws IOException {
        if (channel != null && Files.exists(path)) return;
        if (channel != null) channel.close(); // removed under us (logrotate, an operator): start a new file
        Files.createDirectories(path.toAbsolutePath().getParent());
        if (!Files.exists(path)) {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(mode));
        }
        Files.setPosixFilePermissions(path, mode);
        channel = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = channel.size();
    }

    private void rotate() throws IOException {
        channel.close();
        channel = null;
        Files.deleteIfExists(numbered(maxFiles));
        for (int i = maxFiles - 1; i >= 1; i--) {
            if (Files.exists(numbered(i))) Files.move(numbered(i), numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(path, numbered(1), StandardCopyOption.REPLACE_EXISTING);
    }

    private Path numbered(int i) {
        return path.resolveSibling(path.getFileName() + "." + i);
    }

    @Override
    public synchronized void close() {
        try {
            if (channel != null) channel.close();
        } catch (IOException ignored) {
            // closing at exit
        }
        channel = null;
    }
}
