package io.hostql.events;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for a test (root only), and a filler file that takes all its free space: the
 * real "disk full" a mapped journal write meets. close() unmounts it. Also used by the daemon's tests
 * (the events test-jar).
 */
public final class SmallTmpfs implements AutoCloseable {
    private final Path mountPoint;

    public SmallTmpfs(Path mountPoint, int megabytes) throws IOException, InterruptedException {
        this.mountPoint = mountPoint;
        Files.createDirectories(mountPoint);
        run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m,mode=0700", "hostql-test", mountPoint.toString());
    }

    public static boolean available() {
        return "root".equals(System.getProperty("user.name"))
                && (Files.isExecutable(Path.of("/usr/bin/mount")) || Files.isExecutable(Path.of("/bin/mount")));
    }

    public Path path() {
        return mountPoint;
    }

    /** Writes the filler until the file system says ENOSPC; returns its path (delete it to free the space). */
    public Path fill() throws IOException {
        Path filler = mountPoint.resolve("filler");
        byte[] block = new byte[64 << 10];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) out.write(block);
        } catch (IOException full) {
            // ENOSPC: now fill the last partial block byte-wise so not even one page is left
        }
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
            byte[] small = new byte[512];
            while (true) out.write(small);
        } catch (IOException full) {
            // full to the last page
        }
        return filler;
    }

    public long usableSpace() throws IOException {
        return Files.getFileStore(mountPoint).getUsableSpace();
    }

    /** Runs a command, failing with its output if it fails. */
    public static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " timed out");
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out.strip());
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            run("umount", mountPoint.toString());
        } catch (IOException busy) {
            run("umount", "-l", mountPoint.toString()); // a process of the test still holds a file: detach it lazily
        }
    }
}
