package dev.jmesh.agent.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A loopback TCP proxy to the control server that accepts connections at once but relays no byte
 * until {@link #release()}: the agent's calls hang, so a test decides when the join completes.
 */
final class HeldProxy implements AutoCloseable {

  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final CountDownLatch released = new CountDownLatch(1);
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  HeldProxy(URI target) throws IOException {
    this.target = new InetSocketAddress(target.getHost(), target.getPort());
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "held-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  URI url() {
    return URI.create("https://127.0.0.1:" + listener.getLocalPort());
  }

  void release() {
    released.countDown();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        sockets.add(client);
        Thread relay = new Thread(() -> relay(client), "held-proxy-relay");
        relay.setDaemon(true);
        relay.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void relay(Socket client) {
    try {
      released.await();
      Socket server = new Socket(target.getAddress(), target.getPort());
      sockets.add(server);
      Thread back = new Thread(() -> pipe(server, client), "held-proxy-back");
      back.setDaemon(true);
      back.start();
      pipe(client, server);
    } catch (IOException | InterruptedException e) {
      close(client);
    }
  }

  private static void pipe(Socket from, Socket to) {
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      // one side closed: close both below
    }
    close(from);
    close(to);
  }

  private static void close(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    release();
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    sockets.forEach(HeldProxy::close);
  }
}
