package io.hostql.config.osquery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON parsed into a tree that remembers the line of every value, so a config error can say where
 * it is. Accepts osquery's comment lines ({@code #} and {@code //}) and duplicate keys (the last wins).
 */
final class LocatedJson {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).enable(JsonReadFeature.ALLOW_YAML_COMMENTS)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA).build();

    final JsonNode root;
    private final Map<String, Integer> lines;

    private LocatedJson(JsonNode root, Map<String, Integer> lines) {
        this.root = root;
        this.lines = lines;
    }

    /** Parses text; a syntax error becomes a ConfigError with the line. */
    static LocatedJson parse(String file, String text, List<ConfigError> errors) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                errors.add(new ConfigError(file, 1, "", "the file is empty; a config is a JSON object", true));
                return null;
            }
            JsonNode root = read(p, "", lines);
            if (p.nextToken() != null) {
                errors.add(new ConfigError(file, p.currentLocation().getLineNr(), "", "unexpected text after the JSON object", true));
                return null;
            }
            return new LocatedJson(root, lines);
        } catch (JsonParseException e) {
            // Jackson names positions as "[Source: REDACTED (...); line: 1, column: 22]": the file is already named.
            String msg = e.getOriginalMessage().replaceAll("\\[Source: [^;\\]]*; line: (\\d+), column: (\\d+)\\]", "line $1, column $2");
            int nl = msg.indexOf('\n');
            errors.add(new ConfigError(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(), "",
                    "broken JSON: " + (nl > 0 ? msg.substring(0, nl) : msg), true));
            return null;
        } catch (IOException e) {
            errors.add(new ConfigError(file, 0, "", "cannot parse: " + e.getMessage(), true));
            return null;
        }
    }

    private static JsonNode read(JsonParser p, String path, Map<String, Integer> lines) throws IOException {
        int line = p.currentTokenLocation().getLineNr();
        JsonNodeFactory f = JsonNodeFactory.instance;
        JsonNode node;
        switch (p.currentToken()) {
            case START_OBJECT -> {
                ObjectNode o = f.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    o.set(name, read(p, path + "/" + name.replace("~", "~0").replace("/", "~1"), lines));
                }
                node = o;
            }
            case START_ARRAY -> {
                ArrayNode a = f.arrayNode();
                while (p.nextToken() != JsonToken.END_ARRAY) a.add(read(p, path + "/" + a.size(), lines));
                node = a;
            }
            case VALUE_STRING -> node = f.textNode(p.getText());
            case VALUE_NUMBER_INT -> node = f.numberNode(p.getLongValue());
            case VALUE_NUMBER_FLOAT -> node = f.numberNode(p.getDoubleValue());
            case VALUE_TRUE -> node = f.booleanNode(true);
            case VALUE_FALSE -> node = f.booleanNode(false);
            case VALUE_NULL -> node = f.nullNode();
            default -> throw new JsonParseException(p, "unexpected " + p.currentToken());
        }
        lines.put(path, line);
        return node;
    }

    /** The line where the value at this JSON pointer (e.g. "/file_paths/etc/0") starts, or 0. */
    int line(String pointer) {
        Integer l = lines.get(pointer);
        return l == null ? 0 : l;
    }
}
