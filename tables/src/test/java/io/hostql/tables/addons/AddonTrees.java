package io.hostql.tables.addons;

import static io.hostql.tables.TableTests.homeUid;
import static io.hostql.tables.TableTests.write;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Test homes for the add-on tables: a passwd file naming them, and the browsers that fill them. */
final class AddonTrees {
    private AddonTrees() {}

    /** A passwd file with one user per home, uids homeUid(), homeUid()+1, ... (as root any uid may own the files). */
    static Path passwd(Path dir, Path... homes) throws Exception {
        StringBuilder sb = new StringBuilder("root:x:0:0:root:/nonexistent-root:/bin/sh\n");
        for (int i = 0; i < homes.length; i++) {
            long uid = homeUid() + i;
            sb.append("hq").append(i).append(":x:").append(uid).append(':').append(uid).append("::").append(homes[i]).append(":/bin/sh\n");
        }
        Path f = dir.resolve("passwd");
        write(f, sb.toString());
        return f;
    }

    /**
     * Runs a browser until condition holds (checked every 250 ms) or the timeout passes, then ends
     * it and every process it started. Returns whether the condition held.
     */
    static boolean runUntil(ProcessBuilder pb, Path log, long timeoutSeconds, java.util.function.BooleanSupplier condition)
            throws Exception {
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (System.nanoTime() < deadline) {
                if (condition.getAsBoolean()) return true;
                if (!p.isAlive() && condition.getAsBoolean()) return true;
                Thread.sleep(250);
            }
            return condition.getAsBoolean();
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(20, TimeUnit.SECONDS);
        }
    }

    static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (Exception e) {
            return "";
        }
    }
}
