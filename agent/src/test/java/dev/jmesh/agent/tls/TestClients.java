package dev.jmesh.agent.tls;

import dev.jmesh.agent.identity.MeshTrustBundle;
import dev.jmesh.agent.identity.WorkloadCertificate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/** Blocking clients for tests: plaintext and mesh mTLS sockets, and a raw HTTP/1.1 exchange. */
public final class TestClients {

  private TestClients() {}

  public static SSLContext mtlsContext(WorkloadCertificate certificate, MeshTrustBundle bundle) {
    try {
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(null, null);
      keyStore.setKeyEntry(
          "workload", certificate.privateKey(), new char[0], certificate.chainArray());
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keyStore, new char[0]);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), new TrustManager[] {new MeshTrustManager(bundle)}, null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static Socket plain(InetSocketAddress address) throws IOException {
    Socket socket = new Socket();
    socket.connect(address, 5000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  public static SSLSocket mtls(InetSocketAddress address, SSLContext context) throws IOException {
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
    socket.connect(address, 5000);
    socket.setSoTimeout(10_000);
    socket.startHandshake();
    return socket;
  }

  /** Sends one {@code GET path} with {@code Connection: close} and returns everything read. */
  public static String get(Socket socket, String path, String... extraHeaders) throws IOException {
    StringBuilder request =
        new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
    for (String header : extraHeaders) {
      request.append(header).append("\r\n");
    }
    request.append("\r\n");
    socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return readAll(socket.getInputStream());
  }

  public static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int n;
    try {
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
      }
    } catch (java.net.SocketException e) {
      // reset by peer: return what arrived
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
