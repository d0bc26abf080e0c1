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
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of agents turn idle together when a push wakes them; each must keep its connection
 * (and its TLS session) for the ACK, rather than the server closing all but 200 of them.
 */
class ControlHttpServerKeepAliveTest {

  /** Above the JDK server's default of 200 idle connections. */
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

  private SSLContext trustingMeshRoot() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("root", server.authority().rootCertificate());
    TrustManagerFactory trustManagers =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, trustManagers.getTrustManagers(), null);
    return tls;
  }

  /** One keep-alive {@code GET /v1/trust-bundle}; the status, with the body read to its end. */
  private static int trustBundleCall(Socket socket) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(
        "GET /v1/trust-bundle HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = socket.getInputStream();
    String head = readHead(in);
    int status = Integer.parseInt(head.substring(9, 12));
    int length = -1;
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    assertTrue(length >= 0, "no Content-Length in " + head);
    if (in.readNBytes(length).length != length) {
      throw new EOFException("body cut short");
    }
    return status;
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
