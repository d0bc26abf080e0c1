package dev.jmesh.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A client certificate from a CA that is NOT the mesh's, claiming a mesh identity (the URI SAN
 * {@code spiffe://cluster.local/ns/default/sa/<service>}): what an impostor would present. Made
 * with the JDK's keytool (a CA key pair, a leaf key pair, the leaf signed by the CA), so the tests
 * need no crypto library.
 */
final class ForeignCertificate {

  private static final String PASSWORD = "changeit";

  private ForeignCertificate() {}

  /** An SSL context presenting a foreign-CA certificate for {@code spiffeId}, trusting any server. */
  static SSLContext clientContext(String spiffeId) throws Exception {
    Path dir = Files.createTempDirectory(SmokeEnvironment.logsDir(), "foreign-ca-");
    Path ca = dir.resolve("ca.p12");
    Path leaf = dir.resolve("leaf.p12");
    keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=foreign-ca", "-ext", "bc:c", "-validity", "2", "-keystore", ca.toString());
    keytool("-genkeypair", "-alias", "leaf", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=impostor", "-validity", "2", "-keystore", leaf.toString());
    keytool("-certreq", "-alias", "leaf", "-keystore", leaf.toString(),
        "-file", dir.resolve("leaf.csr").toString());
    keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(),
        "-infile", dir.resolve("leaf.csr").toString(), "-outfile", dir.resolve("leaf.pem").toString(),
        "-rfc", "-ext", "san=uri:" + spiffeId, "-ext", "eku=serverAuth,clientAuth",
        "-ext", "ku=digitalSignature,keyEncipherment", "-validity", "2");
    keytool("-exportcert", "-alias", "ca", "-keystore", ca.toString(), "-rfc",
        "-file", dir.resolve("ca.pem").toString());
    Files.writeString(
        dir.resolve("chain.pem"),
        Files.readString(dir.resolve("leaf.pem")) + Files.readString(dir.resolve("ca.pem")));
    keytool("-importcert", "-alias", "leaf", "-keystore", leaf.toString(),
        "-file", dir.resolve("chain.pem").toString(), "-noprompt");

    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(leaf)) {
      keyStore.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(keyStore, PASSWORD.toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), new TrustManager[] {new TrustAnyServer()}, null);
    return context;
  }

  /** An SSL context with no client certificate at all, trusting any server. */
  static SSLContext noClientCertificateContext() throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new TrustAnyServer()}, null);
    return context;
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(SmokeEnvironment.jdkTool("keytool").toString());
    command.addAll(List.of(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    assertEquals(0, process.exitValue(), () -> "keytool " + String.join(" ", args) + ":\n" + output);
  }

  /** The impostor does not care whom it talks to. */
  private static final class TrustAnyServer implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
