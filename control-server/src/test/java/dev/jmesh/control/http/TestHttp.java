package dev.jmesh.control.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A JDK HttpClient that trusts only the mesh root and optionally presents a workload cert. */
final class TestHttp {

  private final URI base;
  private final HttpClient client;

  TestHttp(URI base, X509Certificate root, PrivateKey key, X509Certificate... chain)
      throws Exception {
    this.base = base;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(tls(root, key, chain))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  HttpResponse<String> send(String method, String path, String body, String... headers)
      throws Exception {
    return sendAsync(method, path, body, headers).get();
  }

  CompletableFuture<HttpResponse<String>> sendAsync(
      String method, String path, String body, String... headers) {
    return client.sendAsync(
        request(method, path, body, headers), HttpResponse.BodyHandlers.ofString());
  }

  /** The body as received, not decoded (for {@code Content-Encoding: gzip}). */
  HttpResponse<byte[]> sendForBytes(String method, String path, String body, String... headers)
      throws Exception {
    return client.send(
        request(method, path, body, headers), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpRequest request(String method, String path, String body, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return request.build();
  }

  /** TLS trusting {@code root}, presenting {@code key} and {@code chain} when a key is given. */
  static SSLContext tls(X509Certificate root, PrivateKey key, X509Certificate... chain)
      throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("root", root);
    TrustManagerFactory trustManagers =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    KeyManagerFactory keyManagers = null;
    if (key != null) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("workload", key, new char[0], (Certificate[]) chain);
      keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, new char[0]);
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(
        keyManagers == null ? null : keyManagers.getKeyManagers(),
        trustManagers.getTrustManagers(),
        null);
    return context;
  }
}
