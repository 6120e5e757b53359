package io.hostql.tables.addons;

import static io.hostql.sql.table.ColumnOption.INDEX;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.os.Dirs;
import io.hostql.tables.users.HomeUsers;
import io.hostql.tables.users.Passwd;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * jetbrains_plugins: the plugins of every user's JetBrains IDEs (~/.local/share/JetBrains/PRODUCT*),
 * each a jar of its own or a directory whose lib/ holds the plugin jar, named, versioned and
 * attributed by the jar's META-INF/plugin.xml, as osquery reads them (the same jar order
 * heuristics as IntelliJ's).
 */
public final class JetbrainsPluginsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("jetbrains_plugins", "JetBrains plugins")
            .text("product_type").bigint("uid", INDEX).text("name").text("version").text("vendor").text("path")
            .build();

    /**
     * osquery's product list: product_type and the directory name prefix under ~/.local/share/JetBrains.
     * RustRover's type is osquery's "rust_rov", kept so queries written for osquery match.
     */
    static final String[][] PRODUCTS = {
        {"clion", "CLion"}, {"datagrip", "DataGrip"}, {"goland", "GoLand"}, {"intellij_idea", "IntelliJIdea"},
        {"intellij_idea_community_edition", "IdeaIC"}, {"phpstorm", "PhpStorm"}, {"pycharm", "PyCharm"},
        {"pycharm_community_edition", "PyCharmCE"}, {"resharper", "ReSharper"}, {"rider", "Rider"},
        {"rubymine", "RubyMine"}, {"rust_rov", "RustRover"}, {"webstorm", "WebStorm"},
    };

    /** plugin.xml larger than this is not a plugin descriptor. */
    static final long MAX_DESCRIPTOR = 4L * 1024 * 1024;

    private final Path passwdFile;

    public JetbrainsPluginsTable() {
        this(null);
    }

    /** passwdFile: users (and homes) read instead of /etc/passwd (tests). */
    JetbrainsPluginsTable(Path passwdFile) {
        this.passwdFile = passwdFile;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        for (Passwd.User u : HomeUsers.of(ctx, passwdFile)) {
            Path base = HomeUsers.file(u, ".local/share/JetBrains");
            if (base == null) continue;
            List<Path> installs = Dirs.sorted(base);
            for (String[] product : PRODUCTS) {
                for (Path install : installs) {
                    // osquery's pattern PRODUCT%: PyCharm% also matches PyCharmCE dirs, as there
                    if (!install.getFileName().toString().startsWith(product[1]) || !Files.isDirectory(install)) continue;
                    for (Path entry : Dirs.sorted(install)) {
                        if (Files.isRegularFile(entry)) {
                            String[] a = attributes(u, entry);
                            if (a != null) emit(rows, product[0], u, entry, a);
                        } else if (Files.isDirectory(entry)) {
                            List<Path> jars = new ArrayList<>(Dirs.regularFiles(entry.resolve("lib")));
                            jars.sort(likelyPluginJarsFirst(entry.getFileName().toString()));
                            for (Path jar : jars) {
                                String[] a = attributes(u, jar);
                                if (a != null) {
                                    emit(rows, product[0], u, entry, a);
                                    break;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static void emit(RowSink rows, String product, Passwd.User u, Path path, String[] a) {
        rows.add().set("product_type", product).set("uid", u.uid()).set("path", path.toString())
                .set("name", a[0]).set("vendor", a[1]).set("version", a[2]);
    }

    /** name, vendor, version from the jar's META-INF/plugin.xml; null when it is no jar or has none. */
    static String[] attributes(Passwd.User u, Path jar) {
        Path real = UserFiles.readable(u, jar);
        if (real == null) return null;
        try (ZipFile zip = new ZipFile(real.toFile())) {
            ZipEntry e = zip.getEntry("META-INF/plugin.xml");
            if (e == null || e.isDirectory() || e.getSize() > MAX_DESCRIPTOR) return null;
            byte[] xml;
            try (InputStream in = zip.getInputStream(e)) {
                xml = in.readNBytes((int) MAX_DESCRIPTOR + 1);
            }
            if (xml.length == 0 || xml.length > MAX_DESCRIPTOR) return null;
            String s = new String(xml, StandardCharsets.UTF_8);
            return new String[] {tag(s, "name", "<name>"), tag(s, "vendor", "<vendor"), tag(s, "version", "<version>")};
        } catch (ZipException | SecurityException e) {
            return null; // not a zip file
        } catch (IOException e) {
            return null;
        }
    }

    /** osquery's reading of a tag: the content of the first <tag ...>...</tag>, when the marker occurs; else "". */
    private static String tag(String xml, String tag, String marker) {
        if (!xml.contains(marker)) return "";
        Matcher m = Pattern.compile("<" + tag + "[\\s\\S]*?>([\\s\\S]*?)</" + tag + ">").matcher(xml);
        return m.find() ? m.group(1) : "";
    }

    /**
     * IntelliJ's order of a plugin's lib jars when looking for its descriptor: resources*.jar last,
     * then versioned names (x-1.2.jar) last, names starting with the plugin's directory name first,
     * *-idea.jar last, database-plugin.jar last, then shorter names first.
     */
    static Comparator<Path> likelyPluginJarsFirst(String pluginDir) {
        Comparator<String> c = Comparator.comparing((String n) -> n.startsWith("resources"))
                .thenComparing(JetbrainsPluginsTable::versionedLibraryName)
                .thenComparing(n -> !n.toLowerCase(Locale.ROOT).startsWith(pluginDir.toLowerCase(Locale.ROOT)))
                .thenComparing(n -> n.toLowerCase(Locale.ROOT).endsWith("-idea.jar"))
                .thenComparing(n -> n.equals("database-plugin.jar"))
                .thenComparingInt(String::length);
        return Comparator.comparing(p -> p.getFileName().toString(), c);
    }

    /** Whether a file name looks like a versioned library: "-" then a digit, or "-m"/"-M" then a digit. */
    static boolean versionedLibraryName(String name) {
        int i = name.lastIndexOf('-');
        if (i < 0 || i + 1 >= name.length()) return false;
        char c = name.charAt(i + 1);
        if (Character.isDigit(c)) return true;
        return (c == 'm' || c == 'M') && i + 2 < name.length() && Character.isDigit(name.charAt(i + 2));
    }
}
