package io.hostql.config;

import java.io.InputStream;
import java.util.Properties;

/** hostql's version, from the build. */
public final class Version {
    public static final String VERSION = load();
    /**
     * The osquery release whose tables, config and logs hostql follows: packs' "version" (run only on
     * osquery >= version) is compared with it, since packs name osquery versions, not hostql's.
     */
    public static final String OSQUERY_COMPATIBLE = "5.23.0";

    private Version() {}

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "unknown");
        } catch (Exception e) {
            return "unknown";
        }
    }
}
