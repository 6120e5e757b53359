package io.hostql.tables.addons;

import com.fasterxml.jackson.databind.JsonNode;
import io.hostql.sql.table.QueryContext;
import io.hostql.tables.os.Dirs;
import io.hostql.tables.users.HomeUsers;
import io.hostql.tables.users.Passwd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Chromium-based browsers' profiles of every user and the extensions in them, read as osquery's
 * chrome utils read them: a profile is a directory with a Preferences or Secure Preferences file,
 * either the browser's user-data directory itself or one of its subdirectories (Default, Profile 1,
 * ...). Its extensions are those under PROFILE/Extensions/ID/VERSION ("unreferenced" until the
 * preferences name them) and those the preferences' extensions.settings point at (unpacked ones may
 * be anywhere); each must have a readable manifest.json.
 */
final class ChromeProfiles {
    private ChromeProfiles() {}

    /** osquery's Linux list: browser_type, and the user-data directory under the home. */
    static final String[][] BROWSERS = {
        {"chrome", ".config/google-chrome"},
        {"chrome_beta", ".config/google-chrome-beta"},
        {"chrome_dev", ".config/google-chrome-unstable"},
        {"brave", ".config/BraveSoftware/Brave-Browser"},
        {"chromium", ".config/chromium"},
        {"chromium", "snap/chromium/common/chromium"},
        {"yandex", ".config/yandex-browser-beta"},
        {"opera", ".config/opera"},
        {"vivaldi", ".config/vivaldi"},
        {"island", ".config/island"},
        // Edge on Linux: osquery's list lacks it, its profiles follow the same format
        {"edge", ".config/microsoft-edge"},
        {"edge_beta", ".config/microsoft-edge-beta"},
    };

    static final String[] PREFERENCE_FILES = {"Preferences", "Secure Preferences"};

    /** One extension of a profile. */
    record Extension(Profile profile, String path, boolean referenced, Map<String, String> properties,
            List<String[]> contentScripts, String manifestJson, String manifestHash, String computedId,
            Map<String, String> settings) {
        String property(String name, String otherwise) {
            String v = properties.get(name);
            return v == null ? otherwise : v;
        }

        String setting(String name) {
            return settings.getOrDefault(name, "");
        }
    }

    record Profile(String browserType, Passwd.User user, String path, String name) {
        long uid() {
            return user.uid();
        }
    }

    /** Every extension of every profile of the users the query selects, profile by profile. */
    static List<Extension> extensions(QueryContext ctx, Path passwdFile) throws Exception {
        List<Extension> out = new ArrayList<>();
        for (Passwd.User u : HomeUsers.of(ctx, passwdFile)) {
            for (String[] browser : BROWSERS) {
                Path dataDir = HomeUsers.file(u, browser[1]);
                if (dataDir == null) continue;
                dataDir = UserFiles.canonical(dataDir);
                if (isProfile(dataDir)) {
                    profile(u, browser[0], dataDir, out);
                    continue;
                }
                for (Path sub : Dirs.sorted(dataDir)) {
                    if (!Files.isDirectory(sub)) continue;
                    sub = UserFiles.canonical(sub);
                    if (isProfile(sub)) profile(u, browser[0], sub, out);
                }
            }
        }
        return out;
    }

    private static boolean isProfile(Path dir) {
        for (String f : PREFERENCE_FILES) if (Files.isReadable(dir.resolve(f))) return true;
        return false;
    }

    private static void profile(Passwd.User u, String browserType, Path dir, List<Extension> out) {
        // osquery needs both files; a profile that has only one of them is read from it alone
        byte[] prefBytes = UserFiles.read(u, dir.resolve(PREFERENCE_FILES[0]));
        byte[] secureBytes = UserFiles.read(u, dir.resolve(PREFERENCE_FILES[1]));
        if (prefBytes == null && secureBytes == null) return;
        JsonNode prefs = prefBytes == null ? null : Json.parse(prefBytes);
        JsonNode secure = secureBytes == null ? null : Json.parse(secureBytes);
        if ((prefBytes != null && prefs == null) || (secureBytes != null && secure == null)) return; // a damaged profile
        String name = profileName(prefs);
        if (name == null) name = profileName(secure);
        if (name == null && !browserType.equals("opera")) return; // Opera's profiles have no name
        Profile profile = new Profile(browserType, u, dir.toString(), name == null ? "" : name);

        // installed from a store or by policy: PROFILE/Extensions/ID/VERSION
        Map<String, byte[]> unreferenced = new TreeMap<>();
        for (Path id : Dirs.sorted(dir.resolve("Extensions"))) {
            if (!Files.isDirectory(id)) continue;
            for (Path version : Dirs.sorted(id)) {
                if (!Files.isDirectory(version)) continue;
                String path = UserFiles.canonical(version).toString();
                byte[] manifest = UserFiles.read(u, Path.of(path, "manifest.json"));
                if (manifest != null) unreferenced.put(path, manifest);
            }
        }
        // each preferences file's extension paths, canonicalized once (path -> id)
        Map<String, String> prefIds = settingIds(prefs, dir);
        Map<String, String> secureIds = settingIds(secure, dir);
        Map<String, byte[]> referenced = new TreeMap<>();
        for (Map<String, String> ids : List.of(prefIds, secureIds)) {
            for (String path : ids.keySet()) {
                byte[] manifest = unreferenced.remove(path);
                if (manifest == null && !referenced.containsKey(path)) manifest = UserFiles.read(u, Path.of(path, "manifest.json"));
                if (manifest != null) referenced.put(path, manifest);
            }
        }
        for (Map.Entry<String, byte[]> e : unreferenced.entrySet()) {
            Extension x = extension(profile, e.getKey(), false, e.getValue(), Map.of());
            if (x != null) out.add(x);
        }
        for (Map.Entry<String, byte[]> e : referenced.entrySet()) {
            Map<String, String> settings = settings(prefs, prefIds.get(e.getKey()));
            if (settings == null) settings = settings(secure, secureIds.get(e.getKey()));
            Extension x = extension(profile, e.getKey(), true, e.getValue(), settings == null ? Map.of() : settings);
            if (x != null) out.add(x);
        }
    }

    private static String profileName(JsonNode prefs) {
        if (prefs == null) return null;
        String name = Json.scalar(prefs.path("profile").path("name"));
        return name == null || name.isEmpty() ? null : name;
    }

    /** extensions.settings (Opera: extensions.opsettings) of a preferences document, or null. */
    private static JsonNode settingsNode(JsonNode prefs) {
        if (prefs == null) return null;
        JsonNode ext = prefs.path("extensions");
        JsonNode s = ext.get("settings");
        if (s == null) s = ext.get("opsettings");
        return s != null && s.isObject() ? s : null;
    }

    /** Canonical path -> extension id of each entry that has a path (relative ones are under PROFILE/Extensions); the first id of a path wins. */
    private static Map<String, String> settingIds(JsonNode prefs, Path profileDir) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode settings = settingsNode(prefs);
        if (settings == null) return out;
        var it = settings.fields();
        while (it.hasNext()) {
            var e = it.next();
            String path = Json.scalar(e.getValue().get("path"));
            if (path == null || path.isEmpty()) continue;
            Path p;
            try {
                p = Path.of(path);
            } catch (java.nio.file.InvalidPathException x) {
                continue;
            }
            if (!p.isAbsolute()) p = profileDir.resolve("Extensions").resolve(path);
            out.putIfAbsent(UserFiles.canonical(p).toString(), e.getKey());
        }
        return out;
    }

    /**
     * The profile's settings of the extension with this id: the id (referenced_identifier),
     * from_webstore, state and install_time; null when these preferences do not name it. Chromium
     * 13x writes first_install_time and disable_reasons instead of install_time and state; those
     * stand in when the old keys are absent (state "1" when nothing disables it, else "0").
     */
    private static Map<String, String> settings(JsonNode prefs, String id) {
        JsonNode settings = settingsNode(prefs);
        if (settings == null || id == null) return null;
        JsonNode obj = settings.get(id);
        Map<String, String> out = new LinkedHashMap<>();
        out.put("referenced_identifier", id);
        for (String k : new String[] {"from_webstore", "state", "install_time"}) {
            String v = Json.scalar(obj.get(k));
            if (v != null) out.put(k, v);
        }
        if (!out.containsKey("install_time")) {
            String v = Json.scalar(obj.get("first_install_time"));
            if (v != null) out.put("install_time", v);
        }
        JsonNode reasons = obj.get("disable_reasons");
        if (!out.containsKey("state") && reasons != null) {
            boolean disabled = reasons.isArray() ? reasons.size() > 0 : reasons.asLong(0) != 0;
            out.put("state", disabled ? "0" : "1");
        }
        return out;
    }

    /** The manifest's properties osquery copies, as (name, manifest path) pairs; the two lists also get *_json. */
    private static final String[][] PROPERTIES = {
        {"name", "name"}, {"update_url", "update_url"}, {"version", "version"}, {"author", "author"},
        {"default_locale", "default_locale"}, {"current_locale", "current_locale"},
        {"persistent", "background.persistent"}, {"description", "description"}, {"key", "key"},
    };

    private static Extension extension(Profile profile, String path, boolean referenced, byte[] manifestBytes,
            Map<String, String> settings) {
        JsonNode m = Json.parse(manifestBytes);
        if (m == null || !m.isObject()) return null;
        Map<String, String> props = new LinkedHashMap<>();
        for (String[] p : PROPERTIES) {
            JsonNode n = m;
            for (String part : p[1].split("\\.")) n = n.path(part);
            String v = Json.scalar(n);
            if (v != null) props.put(p[0], v);
        }
        for (String list : new String[] {"permissions", "optional_permissions"}) {
            JsonNode n = m.get(list);
            if (n == null || n.isNull()) continue;
            List<String> items = new ArrayList<>();
            for (JsonNode c : n) if (c.isValueNode()) items.add(c.asText());
            props.put(list, String.join(", ", items));
            props.put(list + "_json", Json.ptree(n));
        }
        localize(props, Path.of(path), profile);
        List<String[]> scripts = new ArrayList<>();
        for (JsonNode entry : m.path("content_scripts")) {
            JsonNode matches = entry.get("matches");
            JsonNode js = entry.get("js");
            if (matches == null || js == null) continue;
            for (JsonNode match : matches) {
                if (!match.isValueNode()) continue;
                for (JsonNode script : js) if (script.isValueNode()) scripts.add(new String[] {match.asText(), script.asText()});
            }
        }
        return new Extension(profile, path, referenced, props, scripts, Json.ptree(m), sha256Hex(manifestBytes),
                identifier(props.get("key")), settings);
    }

    /**
     * Replaces "__MSG_name__" values with the message of _locales/LOCALE/messages.json, the locale
     * being default_locale, else current_locale, else "en". Message names are case-insensitive.
     */
    private static void localize(Map<String, String> props, Path extDir, Profile profile) {
        if (props.values().stream().noneMatch(v -> v.startsWith("__MSG_"))) return;
        String locale = props.getOrDefault("default_locale", props.getOrDefault("current_locale", "en"));
        JsonNode messages;
        try {
            messages = Json.parse(UserFiles.read(profile.user(), extDir.resolve("_locales").resolve(locale).resolve("messages.json")));
        } catch (java.nio.file.InvalidPathException e) {
            return; // a locale name no path can hold
        }
        if (messages == null || !messages.isObject()) return;
        Map<String, JsonNode> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        messages.fields().forEachRemaining(e -> byName.put(e.getKey(), e.getValue()));
        for (Map.Entry<String, String> p : props.entrySet()) {
            String v = p.getValue();
            if (!v.startsWith("__MSG_") || v.length() < 8) continue;
            JsonNode msg = byName.get(v.substring(6, v.length() - 2));
            String text = msg == null ? null : Json.scalar(msg.get("message"));
            if (text != null) p.setValue(text);
        }
    }

    /** Chrome's id of an extension with a manifest key: SHA-256 of the decoded key, first 32 hex digits mapped 0-f to a-p. */
    static String identifier(String key) {
        if (key == null || key.isEmpty()) return null;
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(key);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (der.length == 0) return null;
        String hex = sha256Hex(der).substring(0, 32);
        StringBuilder id = new StringBuilder(32);
        for (int i = 0; i < hex.length(); i++) id.append((char) ('a' + Character.digit(hex.charAt(i), 16)));
        return id.toString();
    }

    static String sha256Hex(byte[] b) {
        MessageDigest md = SHA256.get();
        md.reset();
        return HexFormat.of().formatHex(md.digest(b));
    }

    /** A digest per thread: looking one up through the providers costs more than hashing a manifest. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    });
}
