package io.hostql.tables.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Map;

/**
 * EC2's instance metadata service (IMDS) as osquery speaks to it: an IMDSv2 token first (PUT
 * latest/api/token with a TTL header), then GETs carrying it; when the service answers the PUT
 * with anything but a token (IMDSv1 only), the GETs go without one, unless the flag
 * aws_disable_imdsv1_fallback forbids it, as in osquery. When nothing answers the PUT, the host is not on EC2.
 */
final class Ec2Metadata {
    static final String TOKEN_TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds";
    static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";

    private final String base;
    private final Map<String, String> auth;

    private Ec2Metadata(String base, Map<String, String> auth) {
        this.base = base;
        this.auth = auth;
    }

    /** A session with the service at base ("http://169.254.169.254/latest/"), or null when none answers (or gives no token, and IMDSv1 is off). */
    static Ec2Metadata connect(String base, boolean imdsV1Fallback) {
        try {
            MetadataClient.Response token = MetadataClient.request("PUT", base + "api/token", Map.of(TOKEN_TTL_HEADER, "21600"));
            if (token.ok() && !token.body().isBlank()) return new Ec2Metadata(base, Map.of(TOKEN_HEADER, token.body().strip()));
            return imdsV1Fallback ? new Ec2Metadata(base, Map.of()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The body of a 200 answer for path (under latest/), or null (404 and other statuses are "no value", as osquery). */
    String get(String path) {
        try {
            MetadataClient.Response r = MetadataClient.get(base + path, auth);
            return r.ok() ? r.body() : null;
        } catch (IOException e) {
            return null;
        }
    }

    JsonNode json(String path) {
        String body = get(path);
        if (body == null) return null;
        try {
            return MetadataClient.json(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** osquery's text values: newlines removed (a multi-line answer, such as security groups, joined). */
    static String text(String body) {
        return body == null ? null : body.strip().replace("\n", ",");
    }
}
