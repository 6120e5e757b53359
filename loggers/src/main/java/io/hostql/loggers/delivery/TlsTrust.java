package io.hostql.loggers.delivery;

import io.hostql.config.SettingsException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The trust of a network logger plugin's TLS: the PEM certificates of its CA flag, or the JDK's trust store when that is empty. */
public final class TlsTrust {
    private TlsTrust() {}

    /** flag names the setting in the error messages. */
    public static SSLContext context(String flag, String caFile) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            if (caFile.isEmpty()) {
                ctx.init(null, null, null);
                return ctx;
            }
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int n = 0;
            try (InputStream in = Files.newInputStream(Path.of(caFile))) {
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) ks.setCertificateEntry("ca" + n++, c);
            }
            if (n == 0) throw new SettingsException(flag + " " + caFile + " holds no PEM certificate");
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new SettingsException(flag + " " + caFile + ": " + e.getMessage());
        }
    }
}
