package dev.jmesh.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jmesh.api.ApiError;
import dev.jmesh.control.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The operator API over HTTPS, trusting only the mesh CA certificate (with host name checks) and
 * authenticating with the admin token.
 */
final class ControlServerClient {

  private final URI server;
  private final String adminToken;
  private final HttpClient http;

  ControlServerClient(URI server, Path caCertificate, String adminToken) throws ClientException {
    this.server = server;
    this.adminToken = adminToken;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .sslContext(trusting(caCertificate))
            .build();
  }

  JsonNode get(String pathAndQuery) throws ClientException {
    return send("GET", pathAndQuery, null, null);
  }

  JsonNode post(String pathAndQuery, byte[] body, String contentType) throws ClientException {
    return send("POST", pathAndQuery, body, contentType);
  }

  JsonNode delete(String pathAndQuery) throws ClientException {
    return send("DELETE", pathAndQuery, null, null);
  }

  private JsonNode send(String method, String pathAndQuery, byte[] body, String contentType)
      throws ClientException {
    URI uri = server.resolve(pathAndQuery);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + adminToken)
            .header("Accept", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new ClientException(
          "cannot reach the control server at " + server + ": " + describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClientException("interrupted while calling " + uri);
    }
    byte[] bytes = response.body();
    if (response.statusCode() >= 300) {
      String message = "HTTP " + response.statusCode() + " from " + method + " " + uri.getPath();
      try {
        ApiError error = Json.MAPPER.readValue(bytes, ApiError.class);
        if (error.error() != null) {
          message = error.error();
        }
      } catch (IOException e) {
        // Not an ApiError body: keep the status line.
      }
      throw new ClientException(response.statusCode(), message);
    }
    try {
      return bytes.length == 0 ? null : Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new ClientException(
          "the control server answered "
              + method
              + " "
              + uri.getPath()
              + " with invalid JSON: "
              + e.getMessage());
    }
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    Throwable cause = e.getCause();
    while (message == null && cause != null) {
      message = cause.getMessage();
      cause = cause.getCause();
    }
    return message == null ? e.getClass().getSimpleName() : message;
  }

  private static SSLContext trusting(Path caCertificate) throws ClientException {
    if (!Files.isRegularFile(caCertificate)) {
      throw new ClientException(
          "cannot verify the control server: CA certificate "
              + caCertificate
              + " does not exist;"
              + " give the server's --data-dir or --ca-cert");
    }
    try (InputStream in = Files.newInputStream(caCertificate)) {
      KeyStore roots = KeyStore.getInstance("PKCS12");
      roots.load(null, null);
      int index = 0;
      for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        roots.setCertificateEntry("root-" + index++, (X509Certificate) certificate);
      }
      if (index == 0) {
        throw new ClientException(caCertificate + " holds no PEM certificate");
      }
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(roots);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new ClientException(
          "cannot read CA certificate " + caCertificate + ": " + e.getMessage());
    }
  }
}
