package io.hostql.tables.files;

import io.hostql.sql.Database;
import io.hostql.tables.TableTests;
import java.util.Arrays;

/**
 * hash over /usr/bin against {@code sha256sum /usr/bin/*} (the baseline, measured in the same
 * run, interleaved). Not a test: run it by hand, on a quiet machine, after {@code test-compile}:
 *
 * <pre>
 * ./mvnw -q -o test-compile -pl tables -am
 * CP=tables/target/classes:tables/target/test-classes:sql/target/classes:config/target/classes
 * CP=$CP:$(ls ~/.m2/repository/net/java/dev/jna/jna/5.*&#47;jna-5.*.jar | tail -1)
 * CP=$CP:$(ls ~/.m2/repository/com/typesafe/config/*&#47;config-*.jar | tail -1)
 * java -cp $CP io.hostql.tables.files.HashBenchmark [runs]
 * </pre>
 */
public final class HashBenchmark {
    private HashBenchmark() {}

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Database db = TableTests.db();
        String sha256Only = "SELECT path, sha256 FROM hash WHERE directory = '/usr/bin'";
        String all = "SELECT * FROM hash WHERE directory = '/usr/bin'";
        // Warm the page cache and the JIT.
        baseline();
        db.query(all);
        db.query(sha256Only);
        double[] base = new double[runs], one = new double[runs], three = new double[runs];
        int rows = 0;
        for (int i = 0; i < runs; i++) {
            base[i] = baseline();
            long t = System.nanoTime();
            rows = db.query(sha256Only).rows().size();
            one[i] = (System.nanoTime() - t) / 1e9;
            t = System.nanoTime();
            db.query(all);
            three[i] = (System.nanoTime() - t) / 1e9;
        }
        double b = median(base), s = median(one), a = median(three);
        System.out.printf("files hashed: %d, runs: %d, cores: %d, JDK %s%n", rows, runs,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.printf("sha256sum /usr/bin/*                      median %.3f s  %s%n", b, Arrays.toString(base));
        System.out.printf("SELECT path, sha256 FROM hash (/usr/bin)  median %.3f s  ratio %.2f  %s%n", s, s / b, Arrays.toString(one));
        System.out.printf("SELECT * FROM hash (/usr/bin, 3 digests)  median %.3f s  ratio %.2f  %s%n", a, a / b, Arrays.toString(three));
        System.exit(0);
    }

    private static double baseline() throws Exception {
        long t = System.nanoTime();
        Process p = new ProcessBuilder("sh", "-c", "sha256sum /usr/bin/* > /dev/null 2>&1").start();
        p.waitFor();
        return (System.nanoTime() - t) / 1e9;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
