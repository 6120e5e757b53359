package io.hostql.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** Lines sent to a receiver by one sender: how many, in how long, at what CPU cost (the logger plugin benchmarks). */
record LineRun(long lines, double seconds, double cpuSeconds) {
    double perSecond() {
        return lines / seconds;
    }

    double cpuMsPer1000() {
        return cpuSeconds * 1000 / lines * 1000;
    }

    /**
     * Empties the schedule of a hostqld started by {@link Measure#startHostqld} (its config becomes {@code {}}, then
     * SIGHUP) and returns once its scheduler says so, so that no line is logged after the caller counts them. Fails
     * naming the problem when that never comes: a SIGHUP hostqld ignored let the query run on, and every line logged
     * after the count showed as a duplicate (a run started under nohup, before bin/hostqld reset SIGHUP).
     */
    static void emptySchedule(Process daemon, Path config, Path root) throws Exception {
        Files.writeString(config, "{}");
        new ProcessBuilder("kill", "-HUP", Long.toString(daemon.pid())).start().waitFor();
        Path status = root.resolve("logs/hostqld.status.log");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Files.readString(status).contains("schedule: 0 queries active")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("hostqld did not empty its schedule within 30 s of SIGHUP (is SIGHUP ignored?): "
                        + Files.readString(root.resolve("hostqld.out")));
            }
            Thread.sleep(100);
        }
        Thread.sleep(1000); // the filesystem logger's last lines land
    }

    /** A row of the table {@code | sender | lines | seconds | lines/s | sender CPU per 1,000 lines |}. */
    void row(StringBuilder md, String who) {
        md.append("| ").append(who).append(" | ").append(lines).append(" | ").append(Measure.f(seconds, 2)).append(" | ")
                .append(Measure.f(perSecond(), 0)).append(" | ").append(Measure.f(cpuMsPer1000(), 1)).append(" ms |\n");
    }
}
