package dev.jmesh.control.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.control.ControlServer;
import dev.jmesh.control.ServerSettings;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The listener over raw TLS sockets: connections stay open between calls (thousands of agents turn
 * idle together when a push wakes them, and each needs its connection and TLS session for the
 * ACK), calls sent back to back are answered in order, and what cannot be served gets one answer
 * that says why.
 */
class ControlHttpServerTest {

  /** Above the 200 idle connections the JDK's server (the listener before Netty) kept. */
  private static final int CONNECTIONS = 230;

  @TempDir Path dataDir;
  private ControlServer server;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = ControlServer.start(ServerSettings.defaults(dataDir).withPort(0));
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    server.close();
  }

  @Test
  void moreIdleConnectionsThanTheJdkDefaultAllStayOpenForTheNextCall() throws Exception {
    SSLContext tls = trustingMeshRoot();
    for (int i = 0; i < CONNECTIONS; i++) {
      SSLSocket socket =
          (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", server.port());
      sockets.add(socket);
      assertEquals(200, trustBundleCall(socket), "first call on connection " + i);
    }
    // All of them are idle now; each one's second call must be answered on the same connection.
    for (int i = 0; i < CONNECTIONS; i++) {
      assertEquals(200, trustBundleCall(sockets.get(i)), "second call on connection " + i);
    }
  }

  @Test
  void callsSentBackToBackOnOneConnectionAreAnsweredInOrder() throws Exception {
    SSLSocket socket = connect();
    send(
        socket,
        "GET /v1/no-such-api HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            + "GET /v1/trust-bundle HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            + "DELETE /v1/trust-bundle HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assertEquals(404, readAnswer(socket).status());
    assertEquals(200, readAnswer(socket).status());
    Answer refused = readAnswer(socket);
    assertEquals(405, refused.status());
    assertTrue(refused.body().contains("use GET"), refused.body());
  }

  /** With {@code Expect: 100-continue} Netty would answer a bare 413 of its own first. */
  @ParameterizedTest
  @ValueSource(strings = {"", "Expect: 100-continue\r\n"})
  void aBodyOverTheLimitIsRefusedWith413NamingTheCallAndTheLimit(String expect) throws Exception {
    SSLSocket socket = connect();
    send(
        socket,
        "POST /v1/policies?dryRun=true HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + expect
            + "Content-Type: application/yaml\r\nContent-Length: "
            + (ApiRequest.MAX_BODY_BYTES + 1)
            + "\r\n\r\n");
    Answer refused = readAnswer(socket);
    assertEquals(413, refused.status());
    assertTrue(
        refused.body().contains("request body of POST /v1/policies is larger than 4194304 bytes"),
        refused.body());
    assertEquals(-1, socket.getInputStream().read(), "the connection is closed after the 413");
  }

  @Test
  void aPathWithBrokenPercentEncodingIsA400NamingIt() throws Exception {
    SSLSocket socket = connect();
    send(socket, "GET /v1/instances/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    Answer refused = readAnswer(socket);
    assertEquals(400, refused.status());
    assertTrue(refused.body().contains("/v1/instances/%zz"), refused.body());
    assertEquals(200, trustBundleCall(socket), "the connection serves the next call");
  }

  @Test
  void aRequestThatCannotBeParsedGetsOne400SayingWhyAndTheConnectionCloses() throws Exception {
    SSLSocket socket = connect();
    send(
        socket,
        "GET /v1/trust-bundle HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: "
            + "x".repeat(9000)
            + "\r\n\r\n");
    Answer refused = readAnswer(socket);
    assertEquals(400, refused.status());
    assertTrue(refused.body().contains("malformed HTTP request"), refused.body());
    assertTrue(refused.body().contains("8192"), "names the header limit: " + refused.body());
    assertEquals(-1, socket.getInputStream().read(), "the connection is closed after the 400");
  }

  private SSLSocket connect() throws Exception {
    SSLSocket socket =
        (SSLSocket) trustingMeshRoot().getSocketFactory().createSocket("127.0.0.1", server.port());
    socket.setSoTimeout(10_000);
    sockets.add(socket);
    return socket;
  }

  private static void send(Socket socket, String request) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private record Answer(int status, String body) {}

  /**
   * One answer framed by its Content-Length, which only 204 and 304 may leave out, and dated (an
   * HTTP date within a minute of now).
   */
  private static Answer readAnswer(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    String head = readHead(in);
    int status = Integer.parseInt(head.substring(9, 12));
    int length = -1;
    Instant date = null;
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).trim());
      } else if (line.toLowerCase(Locale.ROOT).startsWith("date:")) {
        date = Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(line.substring(5).trim()));
      }
    }
    assertTrue(
        date != null && Duration.between(date, Instant.now()).abs().toSeconds() < 60,
        "no current Date in " + head);
    if (length < 0) {
      assertTrue(status == 204 || status == 304, "no Content-Length in " + head);
      length = 0;
    }
    byte[] body = in.readNBytes(length);
    if (body.length != length) {
      throw new EOFException("body cut short after " + head);
    }
    return new Answer(status, new String(body, StandardCharsets.UTF_8));
  }

  private SSLContext trustingMeshRoot() throws Exception {
    return TestHttp.tls(server.authority().rootCertificate(), null);
  }


  /** One keep-alive {@code GET /v1/trust-bundle}; the status, with the body read to its end. */
  private static int trustBundleCall(Socket socket) throws IOException {
    send(socket, "GET /v1/trust-bundle HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    return readAnswer(socket).status();
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("the server closed the connection; read so far: " + head);
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }
}
