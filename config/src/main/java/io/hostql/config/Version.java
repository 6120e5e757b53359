package io.hostql.config;

import java.io.InputStream;
import java.util.Properties;

/** hostql's version, from the build. */
public final class Version {
    public static final String VERSION = load();
    /**
     * The osquery release whose tables, config and logs hostql follows: packs' "version" (run only on
     * osquery >= version) is compared with it, since packs name osquery versions, not hostql's. Managers see it
     * as osquery_info.version and in the remote API's User-Agent, and gate features on it (Fleet picks older
     * query variants below 5.16). The reference/ facts were taken at osquery 5.23.0-38-ga5b14f63d.
     */
    public static final String OSQUERY_COMPATIBLE = "5.23.0";

    private Version() {}

    /** What --version prints: hostql's own version and the osquery release it matches. */
    public static String describe(String program) {
        return program + " version " + VERSION + " (osquery " + OSQUERY_COMPATIBLE + " compatible)";
    }

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
