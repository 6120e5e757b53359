package io.hostql.daemon.schedule;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.sql.QueryResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * osquery's differential (diff_results.cpp) on whole rows: added = rows now that were not in the
 * previous run, removed = the reverse, counting duplicates (a multiset). Rows are compared as
 * canonical JSON texts (columns in order, typed values), which is also how they are persisted.
 */
final class Differential {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Diff(List<Map<String, Object>> added, List<Map<String, Object>> removed) {
        boolean isEmpty() {
            return added.isEmpty() && removed.isEmpty();
        }
    }

    private Differential() {}

    static List<Map<String, Object>> rows(QueryResult r) {
        List<Map<String, Object>> out = new ArrayList<>(r.rows().size());
        for (Object[] v : r.rows()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < v.length; i++) {
                Object x = v[i];
                if (x instanceof byte[] b) x = new String(b, java.nio.charset.StandardCharsets.UTF_8);
                m.put(r.columns().get(i), x);
            }
            out.add(m);
        }
        return out;
    }

    static String canonical(Map<String, Object> row) {
        try {
            return JSON.writeValueAsString(row);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Object> parse(String canonical) {
        try {
            return JSON.readValue(canonical, new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Diff diff(List<String> previous, List<Map<String, Object>> current, List<String> currentCanonical) {
        Map<String, Integer> before = new HashMap<>();
        for (String p : previous) before.merge(p, 1, Integer::sum);
        List<Map<String, Object>> added = new ArrayList<>();
        for (int i = 0; i < current.size(); i++) {
            String c = currentCanonical.get(i);
            Integer n = before.get(c);
            if (n == null) added.add(current.get(i));
            else if (n == 1) before.remove(c);
            else before.put(c, n - 1);
        }
        List<Map<String, Object>> removed = new ArrayList<>();
        for (String p : previous) {
            Integer n = before.get(p);
            if (n == null) continue;
            removed.add(parse(p));
            if (n == 1) before.remove(p);
            else before.put(p, n - 1);
        }
        return new Diff(added, removed);
    }
}
