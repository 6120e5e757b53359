package io.hostql.tables.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;

/**
 * ec2_instance_metadata: one row from EC2's metadata service, with osquery's sources: the
 * instance-identity document (instance id and type, private IP, zone, region, account, architecture,
 * AMI), iam/info's InstanceProfileArn, and the mac, local-hostname, public key 0, reservation id and
 * security groups paths. Off EC2 (nothing answers on 169.254.169.254): no rows.
 */
public final class Ec2InstanceMetadataTable implements Table {
    static final String DEFAULT_BASE = "http://" + MetadataClient.LINK_LOCAL + "/latest/";

    private static final TableSchema SCHEMA = TableSchema.builder("ec2_instance_metadata", "EC2 instance metadata.")
            .text("instance_id").text("instance_type").text("architecture").text("region").text("availability_zone")
            .text("local_hostname").text("local_ipv4").text("mac").text("security_groups").text("iam_arn").text("ami_id")
            .text("reservation_id").text("account_id").text("ssh_public_key")
            .build();

    private static final String[][] IDENTITY = {{"instance_id", "instanceId"}, {"instance_type", "instanceType"},
        {"local_ipv4", "privateIp"}, {"availability_zone", "availabilityZone"}, {"region", "region"},
        {"account_id", "accountId"}, {"architecture", "architecture"}, {"ami_id", "imageId"}};
    private static final String[][] PATHS = {{"mac", "meta-data/mac"}, {"local_hostname", "meta-data/local-hostname"},
        {"ssh_public_key", "meta-data/public-keys/0/openssh-key"}, {"reservation_id", "meta-data/reservation-id"},
        {"security_groups", "meta-data/security-groups"}};

    private final boolean imdsV1Fallback;

    public Ec2InstanceMetadataTable(boolean imdsV1Fallback) {
        this.imdsV1Fallback = imdsV1Fallback;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        Ec2Metadata imds = Ec2Metadata.connect(DEFAULT_BASE, imdsV1Fallback);
        if (imds == null) return;
        RowSink.Row r = rows.add();
        JsonNode identity = imds.json("dynamic/instance-identity/document");
        for (String[] f : IDENTITY) r.set(f[0], identity == null ? null : Ec2Metadata.text(identity.path(f[1]).asText("")));
        JsonNode iam = imds.json("meta-data/iam/info");
        r.set("iam_arn", iam == null ? null : Ec2Metadata.text(iam.path("InstanceProfileArn").asText("")));
        for (String[] p : PATHS) r.set(p[0], Ec2Metadata.text(imds.get(p[1])));
    }
}
