package dev.jmesh.benchmarks.load;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 keep-alive connection on a plain {@link Socket}: writes a prepared POST and reads
 * the response (Content-Length or chunked), with no per-request allocation beyond the JDK's. The
 * host is looked up through {@code InetAddress} on each (re)connect, so with the jmesh agent a mesh
 * name such as {@code bench-server} goes through the agent's resolution. Given a TLS socket factory
 * it speaks mutual TLS itself, with {@code bench-server} as the name the server's certificate must have.
 */
final class HttpConnection implements AutoCloseable {

  private final String host;
  private final int port;
  private final byte[] request;
  private final byte[] line = new byte[8192];
  private final byte[] sink = new byte[16384];
  private final SSLSocketFactory tls;
  private Socket socket;
  private OutputStream out;
  private InputStream in;

  /**
   * @param extraHeaders more header lines, each ending in CRLF; empty for none
   * @param tls the factory of mutual-TLS sockets, or null for plaintext
   */
  HttpConnection(
      String host, int port, String hostHeader, String extraHeaders, int bodyBytes, SSLSocketFactory tls) {
    this.host = host;
    this.tls = tls;
    this.port = port;
    byte[] head =
        ("POST / HTTP/1.1\r\nHost: " + hostHeader + "\r\nContent-Type: application/octet-stream\r\n"
                + extraHeaders
                + "Content-Length: " + bodyBytes + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    request = Arrays.copyOf(head, head.length + bodyBytes);
    Arrays.fill(request, head.length, request.length, (byte) 'y');
  }

  void connect() throws IOException {
    close();
    Socket s = tls == null ? new Socket() : tls.createSocket();
    s.setTcpNoDelay(true);
    s.connect(new InetSocketAddress(host, port), 5000);
    s.setSoTimeout(10_000);
    if (s instanceof SSLSocket ssl) {
      SSLParameters params = ssl.getSSLParameters();
      params.setServerNames(List.of(new SNIHostName("bench-server")));
      params.setEndpointIdentificationAlgorithm("HTTPS");
      ssl.setSSLParameters(params);
      ssl.startHandshake();
    }
    socket = s;
    out = s.getOutputStream();
    in = new BufferedInputStream(s.getInputStream(), 16384);
  }

  /** Sends one request and reads the whole response; returns the status code. */
  int exchange() throws IOException {
    if (socket == null) {
      connect();
    }
    out.write(request);
    out.flush();
    int status = parseStatus(readLine());
    long contentLength = -1;
    boolean chunked = false;
    boolean close = false;
    int n;
    while ((n = readLineLength()) > 0) {
      String header = new String(line, 0, n, StandardCharsets.US_ASCII);
      int colon = header.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = header.substring(0, colon).trim();
      String value = header.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) {
        contentLength = Long.parseLong(value);
      } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
        chunked = true;
      } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
        close = true;
      }
    }
    if (chunked) {
      long size;
      while ((size = Long.parseLong(readLine().split(";")[0].trim(), 16)) > 0) {
        skip(size);
        readLine();
      }
      while (readLineLength() > 0) {
        // trailers
      }
    } else if (contentLength > 0) {
      skip(contentLength);
    }
    if (close) {
      close();
    }
    return status;
  }

  private static int parseStatus(String statusLine) throws IOException {
    if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
      throw new IOException("bad status line: " + statusLine);
    }
    return Integer.parseInt(statusLine.substring(9, 12));
  }

  private void skip(long count) throws IOException {
    long left = count;
    while (left > 0) {
      int r = in.read(sink, 0, (int) Math.min(sink.length, left));
      if (r < 0) {
        throw new EOFException("connection closed in the body");
      }
      left -= r;
    }
  }

  private String readLine() throws IOException {
    int n = readLineLength();
    return new String(line, 0, n, StandardCharsets.US_ASCII);
  }

  /** Reads a CRLF-terminated line into {@link #line}; returns its length without the CRLF. */
  private int readLineLength() throws IOException {
    int n = 0;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed");
      }
      if (b == '\n') {
        return n > 0 && line[n - 1] == '\r' ? n - 1 : n;
      }
      if (n == line.length) {
        throw new IOException("header line too long");
      }
      line[n++] = (byte) b;
    }
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
      socket = null;
    }
  }
}
