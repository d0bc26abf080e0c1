package dev.jmesh.smoke;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** The test's own plaintext HTTP client and raw-socket probes (the test JVM has no agent). */
final class Http {

  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(TIMEOUT)
          .build();

  private Http() {}

  record Response(int status, String body, Map<String, List<String>> headers) {
    @Override
    public String toString() {
      return status + " " + Json.abbreviate(body);
    }
  }

  static Response get(int port, String pathAndQuery) throws IOException, InterruptedException {
    return get(port, pathAndQuery, Map.of());
  }

  static Response get(int port, String pathAndQuery, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
            .timeout(TIMEOUT)
            .GET();
    headers.forEach(request::header);
    HttpResponse<String> response =
        CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Response(response.statusCode(), response.body(), response.headers().map());
  }

  /** What a raw exchange on a socket produced. */
  record RawExchange(byte[] received, Exception error, boolean timedOut) {
    boolean gotHttpAnswer() {
      return new String(received, StandardCharsets.ISO_8859_1).contains("HTTP/1.");
    }

    @Override
    public String toString() {
      String text = new String(received, StandardCharsets.ISO_8859_1);
      return "received " + received.length + " bytes"
          + (received.length == 0 ? "" : " \"" + text.substring(0, Math.min(200, text.length())) + "\"")
          + (error == null ? ", then end of stream" : ", then " + error)
          + (timedOut ? " (timed out: connection neither answered nor closed)" : "");
    }
  }

  /** Sends a plaintext GET on a fresh TCP connection and reads until the peer closes. */
  static RawExchange plaintextExchange(int port, String path) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), (int) TIMEOUT.toMillis());
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      socket
          .getOutputStream()
          .write(request(port, path).getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return readUntilClosed(socket.getInputStream());
    } catch (IOException e) {
      return new RawExchange(new byte[0], e, false);
    }
  }

  /**
   * Opens TLS with {@code context} (which holds the client's key and trusts any server), sends a
   * GET and reads until the peer closes. Handshake failures come back as the exchange's error.
   */
  static RawExchange tlsExchange(int port, String path, SSLContext context) {
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), (int) TIMEOUT.toMillis());
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      socket.startHandshake();
      socket
          .getOutputStream()
          .write(request(port, path).getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return readUntilClosed(socket.getInputStream());
    } catch (IOException e) {
      return new RawExchange(new byte[0], e, false);
    }
  }

  /**
   * Sends {@code requests} (raw HTTP/1.1 text) one after another on ONE connection, reading each
   * response (which must carry Content-Length) before sending the next; returns the bodies.
   */
  static List<String> sequentialExchanges(int port, List<String> requests)
      throws IOException {
    List<String> bodies = new ArrayList<>();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), (int) TIMEOUT.toMillis());
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      InputStream in = new BufferedInputStream(socket.getInputStream());
      for (String request : requests) {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        bodies.add(readResponseBody(in));
      }
    }
    return bodies;
  }

  private static String readResponseBody(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c == -1) {
        throw new IOException("connection closed in response head: " + head);
      }
      head.append((char) c);
    }
    int length = -1;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    if (length < 0) {
      throw new IOException("response without Content-Length: " + head);
    }
    return new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  private static String request(int port, String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
        + "\r\nConnection: close\r\n\r\n";
  }

  private static RawExchange readUntilClosed(InputStream in) {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try {
      int n;
      while ((n = in.read(buffer)) != -1) {
        received.write(buffer, 0, n);
      }
      return new RawExchange(received.toByteArray(), null, false);
    } catch (SocketTimeoutException e) {
      return new RawExchange(received.toByteArray(), e, true);
    } catch (IOException e) {
      return new RawExchange(received.toByteArray(), e, false);
    }
  }
}
