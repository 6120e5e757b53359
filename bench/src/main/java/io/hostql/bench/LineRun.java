package io.hostql.bench;

/** Lines sent to a receiver by one sender: how many, in how long, at what CPU cost (the logger plugin benchmarks). */
record LineRun(long lines, double seconds, double cpuSeconds) {
    double perSecond() {
        return lines / seconds;
    }

    double cpuMsPer1000() {
        return cpuSeconds * 1000 / lines * 1000;
    }

    /** A row of the table {@code | sender | lines | seconds | lines/s | sender CPU per 1,000 lines |}. */
    void row(StringBuilder md, String who) {
        md.append("| ").append(who).append(" | ").append(lines).append(" | ").append(Measure.f(seconds, 2)).append(" | ")
                .append(Measure.f(perSecond(), 0)).append(" | ").append(Measure.f(cpuMsPer1000(), 1)).append(" ms |\n");
    }
}
