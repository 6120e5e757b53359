package io.hostql.bench;

import io.hostql.config.Settings;
import io.hostql.sql.Database;
import io.hostql.tables.LinuxTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Issue 16: {@code SELECT * FROM certificates} on the system CA bundle, in a warm engine and in a
 * cold shell, against openssl printing every certificate of the same bundle as text
 * ({@code openssl crl2pkcs7 -nocrl -certfile B | openssl pkcs7 -print_certs -text}), interleaved, medians.
 */
final class CertificatesQuery {
    private CertificatesQuery() {}

    static final String BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

    static String run(Path home, int runs) throws Exception {
        if (!Files.isRegularFile(Path.of(BUNDLE))) return "## certificates against openssl (issue 16)\n\nNo " + BUNDLE + " here.\n\n";
        String sql = "SELECT * FROM certificates";
        List<String> shell = List.of(home.resolve("bin/hostqli").toString(), "--json", sql);
        List<String> openssl = List.of("sh", "-c", "openssl crl2pkcs7 -nocrl -certfile " + BUNDLE
                + " | openssl pkcs7 -print_certs -text -noout > /dev/null");
        double[] warm = new double[runs], cold = new double[runs], tool = new double[runs];
        int rows;
        try (Database db = Database.open(LinuxTables.registry(Settings.defaults()))) {
            for (int i = 0; i < 2; i++) {
                db.query(sql);
                Measure.time(shell);
                Measure.time(openssl);
            }
            rows = db.query(sql).rows().size();
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                db.query(sql);
                warm[i] = (System.nanoTime() - t0) / 1e9;
                cold[i] = Measure.time(shell);
                tool[i] = Measure.time(openssl);
            }
        }
        double t = Measure.median(tool);
        return "## certificates against openssl (issue 16)\n\n"
                + "`" + sql + "` reads " + BUNDLE + " (" + rows + " certificates) and computes every column (names in OpenSSL's\n"
                + "two forms, key ids, key usage, SHA-1, CA and self-signed checks). Baseline: `openssl crl2pkcs7 -nocrl -certfile "
                + BUNDLE + " | openssl pkcs7 -print_certs -text -noout`,\nwall time of one run. Medians of " + runs
                + " interleaved runs after 2 warm-up runs each. The machine is shared with other builds: absolute times are"
                + " inflated, the ratios less so.\n\n"
                + "| run | median | ratio to openssl |\n|---|---|---|\n"
                + "| hostql, warm engine | " + Measure.f(Measure.median(warm) * 1000, 1) + " ms | " + Measure.f(Measure.median(warm) / t, 2) + " |\n"
                + "| `bin/hostqli --json '" + sql + "'` (cold shell, JVM start included) | " + Measure.f(Measure.median(cold) * 1000, 0)
                + " ms | " + Measure.f(Measure.median(cold) / t, 2) + " |\n"
                + "| openssl crl2pkcs7 \\| pkcs7 -print_certs -text | " + Measure.f(t * 1000, 1) + " ms | 1.00 |\n\n";
    }
}
