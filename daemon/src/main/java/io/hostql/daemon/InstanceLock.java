package io.hostql.daemon;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One hostqld per data dir: an exclusive lock on {@code <database_path>/hostqld.lock} (released by
 * the kernel when the process dies, even by SIGKILL), taken first; and the pidfile for tools,
 * written once the daemon is ready, so its presence means "started".
 */
final class InstanceLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;
    private final Path pidfile;

    private InstanceLock(FileChannel channel, FileLock lock, Path pidfile) {
        this.channel = channel;
        this.lock = lock;
        this.pidfile = pidfile;
    }

    static InstanceLock acquire(Path dataDir, Path pidfile) throws IOException {
        Path lockFile = dataDir.resolve("hostqld.lock");
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock = ch.tryLock();
        if (lock == null) {
            String holder = new String(Files.readAllBytes(lockFile), StandardCharsets.UTF_8).strip();
            ch.close();
            throw new IOException("another hostqld" + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                    + " is already running on " + dataDir);
        }
        String pid = Long.toString(ProcessHandle.current().pid());
        ch.truncate(0);
        ch.write(java.nio.ByteBuffer.wrap(pid.getBytes(StandardCharsets.UTF_8)), 0);
        try {
            Files.createDirectories(pidfile.toAbsolutePath().getParent());
            if (!Files.isWritable(pidfile.toAbsolutePath().getParent())) throw new IOException("directory not writable");
        } catch (IOException e) {
            lock.release();
            ch.close();
            throw new IOException("cannot write pidfile " + pidfile + ": " + e.getMessage());
        }
        return new InstanceLock(ch, lock, pidfile);
    }

    /** Called when the daemon is ready. */
    void writePidfile() throws IOException {
        Files.writeString(pidfile, ProcessHandle.current().pid() + "\n");
        FileModes.set(pidfile, FileModes.PIDFILE); // readable by tools, whatever the umask or an old pidfile's mode
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(pidfile);
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // exiting anyway; the kernel drops the lock
        }
    }
}
