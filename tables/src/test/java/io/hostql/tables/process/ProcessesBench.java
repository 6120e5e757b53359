package io.hostql.tables.process;

import io.hostql.sql.QueryResult;
import io.hostql.tables.TableTests;
import java.util.Arrays;

/**
 * Not a test: compares {@code SELECT * FROM processes} in a warm engine with
 * {@code ps -eo pid,ppid,user,stat,rss,vsz,time,lstart,args} (fork+exec included, as a user would run it),
 * interleaved, and prints the medians and their ratio. From the repository root:
 * <pre>
 * ./mvnw -o -q test-compile dependency:build-classpath -pl tables -am -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp "tables/target/test-classes:tables/target/classes:$(cat /tmp/cp.txt)" io.hostql.tables.process.ProcessesBench [runs]
 * </pre>
 */
public final class ProcessesBench {
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 21;
        String sql = "SELECT * FROM processes";
        String[] ps = {"ps", "-eo", "pid,ppid,user,stat,rss,vsz,time,lstart,args"};
        for (int i = 0; i < 30; i++) consume(TableTests.db().query(sql)); // JIT warm-up
        for (int i = 0; i < 3; i++) runPs(ps);
        long[] q = new long[runs], p = new long[runs];
        int rows = 0;
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            rows = consume(TableTests.db().query(sql));
            long t1 = System.nanoTime();
            runPs(ps);
            long t2 = System.nanoTime();
            q[i] = t1 - t0;
            p[i] = t2 - t1;
        }
        double qm = median(q) / 1e6, pm = median(p) / 1e6;
        System.out.printf("processes: %d rows; SELECT * median %.2f ms; ps -eo ... median %.2f ms; ratio %.2f (runs %d, JDK %s, %d cpus)%n",
                rows, qm, pm, qm / pm, runs, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    }

    private static int consume(QueryResult r) {
        int cells = 0;
        for (Object[] row : r.rows()) for (Object v : row) if (v != null) cells++;
        return r.rows().size() + (cells < 0 ? 1 : 0);
    }

    private static void runPs(String[] cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getInputStream().readAllBytes();
        p.waitFor();
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
